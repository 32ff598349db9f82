// A canary on its deployment's page in real Chromium against a real Berth: the panel shows the
// step and weight, Pause and Resume take effect in the workflow, and Promote (asked first)
// takes the release to 100 %; with no worker running the panel says its workflow does not answer.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeUser } from '../support/accounts.js';
import { checkPage, launchBrowser, newSession, signIn } from '../support/browser.js';
import { createImageApp, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { startUiBerth, type UiBerth } from '../support/ui-berth.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const PASSWORD = 'a long enough passphrase';
const tags = { v1: 'berth-test/ui-canary:v1', v2: 'berth-test/ui-canary:v2' };
let ui: UiBerth;
let browser: Browser;
let page: Page;
let fx: AppFixture;

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  ui = await startUiBerth();
  const admin = await makeUser(ui.berth.database.db, { isAdmin: true, email: 'admin@example.test', password: PASSWORD });
  fx = await createImageApp(ui.berth, { app: 'canaryui', image: tags.v1, healthCheck: { intervalMs: 100, startPeriodMs: 500 }, environment: { watch: { seconds: 0 } } });
  const first = await ui.berth.api('POST', `${fx.base}/deployments`, { image: tags.v1 });
  expect((await waitForDeployment(ui.berth, first.body.deploymentId)).status).toBe('succeeded');
  browser = await launchBrowser();
  ({ page } = await newSession(browser, ui.url));
  await signIn(page, admin.email, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  removeImages(...Object.values(tags));
});

test('the canary panel: step and weight, pause and resume, promote after asking', async () => {
  const res = await ui.berth.api('POST', `${fx.base}/deployments`, { image: tags.v2, canary: { steps: [25], stepSeconds: 300 } });
  const id = res.body.deploymentId as string;
  await waitFor('canary at 25 %', async () => (await ui.berth.api('GET', `/api/v1/deployments/${id}/canary`)).body.weight === 25);
  await page.goto(`/ui/deployments/${id}`);
  const panel = page.getByTestId('canary');
  await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toMatch(/Canary step 1 of 1: 25 % of the traffic on this release/);
  await panel.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(() => panel.textContent()).toMatch(/· paused/);
  expect((await ui.berth.api('GET', `/api/v1/deployments/${id}/canary`)).body.paused).toBe(true);
  await checkPage(page, 'canary-paused');
  await panel.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => panel.textContent()).toMatch(/s left in the step/);
  // No worker: the panel says the workflow does not answer (the API's 503 after 5 s), and Try
  // again reads it once a worker is back.
  await ui.berth.stopWorkers();
  await page.reload();
  await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toMatch(/did not answer within 5 s: is a Berth worker running\?/);
  await checkPage(page, 'canary-unanswered');
  await ui.berth.startWorkers();
  await panel.getByRole('button', { name: 'Try again' }).click();
  await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toMatch(/Canary step 1 of 1: 25 % of the traffic on this release/);
  page.once('dialog', (d) => {
    expect(d.message()).toMatch(/Promote the canary\? It takes 100 % of the traffic now/);
    void d.accept();
  });
  await panel.getByRole('button', { name: 'Promote to 100 %' }).click();
  expect((await waitForDeployment(ui.berth, id, 30_000)).status).toBe('succeeded');
  await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toBe('succeeded');
  expect(await page.getByTestId('canary').count()).toBe(0);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');
});
