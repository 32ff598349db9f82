// A stack in the web UI (real Chromium, Docker Swarm, Temporal, Traefik): deployed from its app
// page, its deployment page drawing one row of phases per service as each starts, in dependency
// order; then torn down and its environment removed from the same page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeUser } from '../support/accounts.js';
import { checkPage, launchBrowser, newSession } from '../support/browser.js';
import { buildHello, removeImages } from '../support/images.js';
import { createStackApp, setVariables, THREE_SERVICES, type StackFixture } from '../support/stack-fixtures.js';
import { throughTraefik } from '../support/traefik.js';
import { startUiBerth, type UiBerth } from '../support/ui-berth.js';

const PASSWORD = 'a long enough passphrase';
const tags = { web: 'berth-test/ui-stack-web:1', api: 'berth-test/ui-stack-api:1', store: 'berth-test/ui-stack-store:1' };
let ui: UiBerth;
let browser: Browser;
let page: Page;
let cspViolations: string[];
let fx: StackFixture;

beforeAll(async () => {
  buildHello(tags.web, { version: 'w1' });
  buildHello(tags.api, { version: 'a1' });
  buildHello(tags.store, { version: 's1' });
  ui = await startUiBerth();
  fx = await createStackApp(ui.berth, { app: 'uistack', compose: THREE_SERVICES });
  await setVariables(ui.berth, fx.base, { WEB_IMAGE: tags.web, API_IMAGE: tags.api, STORE_IMAGE: tags.store, STORE_TOKEN: 'not-shown-anywhere' });
  const admin = await makeUser(ui.berth.database.db, { isAdmin: true, email: 'stack-admin@example.test', password: PASSWORD });
  browser = await launchBrowser();
  ({ page, cspViolations } = await newSession(browser, ui.url));
  await page.goto('/ui/sign-in');
  await page.getByLabel('E-mail').fill(admin.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  removeImages(...Object.values(tags));
});

test('a stack deploys from its page, each service with its own phases, in dependency order', async () => {
  await page.goto('/ui/apps/uistack');
  await page.getByRole('button', { name: 'Deploy to prod' }).click();
  await page.waitForURL(/\/ui\/deployments\/dep_/);
  await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 }).toBe('succeeded');
  const services = await page.locator('section.service h3').allTextContents();
  expect(services).toEqual(['Service store', 'Service api', 'Service web']);
  for (const s of ['store', 'api', 'web']) expect(await page.getByRole('list', { name: `Phases of ${s}` }).locator('li.phase').count(), s).toBeGreaterThan(0);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('w1');
  expect(await page.content()).not.toContain('not-shown-anywhere');
  await checkPage(page, '31-stack-deployment');
});

test('torn down, then its environment removed, from the app page', async () => {
  await page.goto('/ui/apps/uistack');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Tear down the stack of prod' }).click();
  await page.waitForURL(/\/ui\/deployments\/dep_/);
  await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 }).toBe('succeeded');
  await expect.poll(() => page.getByTestId('end-state').textContent()).toMatch(/nothing is live now|Nothing is live/i);
  await page.goto('/ui/apps/uistack');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Remove environment prod' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'prod' }).count()).toBe(0);
  expect((await ui.berth.api('GET', '/api/v1/apps/uistack/environments/prod')).status).toBe(404);
  expect(cspViolations).toEqual([]);
});
