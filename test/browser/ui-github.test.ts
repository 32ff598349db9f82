// Making Berth's GitHub App from the web UI, in real Chromium, through a stand-in for GitHub's
// API and its two web pages: the UI starts the manifest flow, Berth's form page posts the
// manifest, "GitHub" shows it with a Create button, Berth's callback exchanges the code and
// sends the browser to the install page, whose button comes back to Berth's installation
// callback, which lands on the UI's GitHub page: the app, the installation and its repositories.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeUser } from '../support/accounts.js';
import { checkPage, launchBrowser, newSession, signIn } from '../support/browser.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.js';
import { startUiBerth, type UiBerth } from '../support/ui-berth.js';

const PASSWORD = 'a long enough passphrase';
const INSTALLATION = 9301;
let github: GitHubStandIn;
let ui: UiBerth;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  github = await startGitHubStandIn({
    installations: [{ id: INSTALLATION, account: 'octo-ui', repositories: [{ id: 701, full_name: 'octo-ui/shop', clone_url: 'https://git.invalid/octo-ui/shop.git' }] }],
  });
  ui = await startUiBerth({ env: { BERTH_GITHUB_API_URL: github.url, BERTH_GITHUB_WEB_URL: github.webUrl } });
  const admin = await makeUser(ui.berth.database.db, { isAdmin: true, email: 'gh-admin@example.test', password: PASSWORD });
  browser = await launchBrowser();
  ({ page } = await newSession(browser, ui.url));
  await signIn(page, admin.email, PASSWORD);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  await github?.close();
});

test('the GitHub App made and installed from the UI, its repositories listed', async () => {
  await page.goto('/ui/github');
  const form = page.getByRole('form', { name: 'Create the GitHub App' });
  await form.getByLabel('App name').fill('Berth UI');
  await form.getByRole('button', { name: 'Create on GitHub' }).click();
  // "GitHub" shows what Berth asked for.
  await page.getByRole('heading', { name: 'Create GitHub App Berth UI' }).waitFor();
  const manifest = github.manifests.at(-1);
  expect(manifest?.hook_attributes?.url).toBe(`${ui.url}/webhooks/github`);
  expect(manifest?.redirect_url).toBe(`${ui.url}/github/app/callback`);
  await page.getByRole('link', { name: 'Create GitHub App' }).click();
  // Berth exchanged the code and sent the browser on to the install page.
  await page.getByRole('link', { name: 'Install on octo-ui' }).click();
  await page.waitForURL(`${ui.url}/ui/github?installed=${INSTALLATION}`);
  expect(await page.getByRole('status').first().textContent()).toContain(`installation ${INSTALLATION}`);
  await page.getByRole('link', { name: `Berth test ${github.app.id}` }).waitFor();
  // The repositories synced by the workflow the callback started.
  await expect
    .poll(async () => ((await ui.berth.api('GET', `/api/v1/github/installations/${INSTALLATION}/repositories`)).body.items ?? []).length, { timeout: 30_000 })
    .toBe(1);
  await page.reload();
  await page.getByRole('button', { name: 'Repositories of octo-ui' }).click();
  await page.getByRole('link', { name: 'octo-ui/shop' }).waitFor();
  await checkPage(page, '34-github-installed');
  // The secrets GitHub handed out are sealed at rest and appear nowhere on the page.
  expect(await page.content()).not.toContain(github.app.webhookSecret);
}, 120_000);
