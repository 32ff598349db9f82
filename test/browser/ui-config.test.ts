// An environment's configuration in real Chromium against a real Berth: the variables page shows
// what the next deploy gets, each value with the level it comes from (project, a parent
// environment, this one), secrets masked; the domains panel adds a domain past its DNS check,
// shows each host name's HTTPS state, takes an uploaded certificate (its key never shown again)
// and shows the certificate Traefik then serves, and removes the domain. Settings inherited from
// a parent say so, and saving keeps them inherited.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeUser } from '../support/accounts.js';
import { checkPage, launchBrowser, newSession, signIn } from '../support/browser.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { makeTestCa, type TestCa } from '../support/test-certificates.js';
import { startUiBerth, type UiBerth } from '../support/ui-berth.js';
import { waitForDeployment } from '../support/wait.js';

const PASSWORD = 'a long enough passphrase';
const TAG = 'berth-test/ui-config:v1';
const DOMAIN = 'shop.ui-config.test';
let ui: UiBerth;
let browser: Browser;
let page: Page;
let fx: AppFixture;
let ca: TestCa;

beforeAll(async () => {
  buildHello(TAG, { version: 'v1' });
  ca = makeTestCa('Berth UI Config CA');
  ui = await startUiBerth();
  const admin = await makeUser(ui.berth.database.db, { isAdmin: true, email: 'admin@example.test', password: PASSWORD });
  fx = await createImageApp(ui.berth, { app: 'cfgweb', image: TAG });
  expect((await waitForDeployment(ui.berth, await deploy(ui.berth, fx, TAG))).status).toBe('succeeded');
  browser = await launchBrowser();
  ({ page } = await newSession(browser, ui.url));
  await signIn(page, admin.email, PASSWORD);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  ca?.remove();
  removeImages(TAG);
});

test('effective variables: each value with the level it comes from, secrets masked, only own ones unset', async () => {
  const api = ui.berth.api;
  expect((await api('PUT', `/api/v1/projects/p-${fx.app}/variables`, { variables: { REGION: 'eu', SHARED_TOKEN: 'project-secret-value' }, secret: ['SHARED_TOKEN'] })).status).toBe(200);
  expect((await api('PUT', `${fx.base}/variables`, { variables: { LOG_LEVEL: 'info', REGION: 'us' }, secret: [] })).status).toBe(200);
  expect((await api('POST', `/api/v1/apps/${fx.app}/environments`, { name: 'staging', parent: 'prod' })).status).toBe(201);
  expect((await api('PUT', `/api/v1/apps/${fx.app}/environments/staging/variables`, { variables: { LOG_LEVEL: 'debug', HOME_URL: '${{ berth.url }}' }, secret: [] })).status).toBe(200);

  await page.goto(`/ui/apps/${fx.app}/environments/staging/variables`);
  const row = (key: string) => page.locator('tr', { has: page.locator('code', { hasText: new RegExp(`^${key}$`) }) });
  await row('REGION').waitFor();
  expect(await row('REGION').textContent()).toMatch(/us.*inherited from prod/);
  expect(await row('LOG_LEVEL').textContent()).toMatch(/debug.*this environment/);
  expect(await row('SHARED_TOKEN').textContent()).toMatch(/secret, write-only.*the project \(shared\)/);
  expect(await page.content()).not.toContain('project-secret-value');
  // References are shown resolved, as the deploy gets them.
  expect(await row('HOME_URL').textContent()).toContain(`http://${fx.app}.staging.`);
  // Only the environment's own variables can be unset here.
  expect(await row('LOG_LEVEL').getByRole('button', { name: 'Unset LOG_LEVEL' }).count()).toBe(1);
  expect(await row('REGION').getByRole('button').count()).toBe(0);
  await row('LOG_LEVEL').getByRole('button', { name: 'Unset LOG_LEVEL' }).click();
  await expect.poll(async () => row('LOG_LEVEL').textContent()).toMatch(/info.*inherited from prod/);
  await checkPage(page, '30-variables-effective');
});

test('settings: inherited ones say where they come from; saving sends only what changed, the rest stays inherited', async () => {
  await page.goto(`/ui/apps/${fx.app}`);
  const form = page.getByRole('form', { name: 'Settings of staging' });
  await page.getByText('Settings of staging', { exact: true }).click();
  await form.waitFor();
  // staging (made above with parent prod) sets nothing itself.
  expect(await form.getByText(/Drain seconds/).textContent()).toContain('(from prod)');
  expect(await form.getByText(/Releases kept/).textContent()).toContain('(default)');
  await form.getByLabel(/Releases kept/).fill('3');
  await form.getByRole('button', { name: 'Save settings of staging' }).click();
  await form.getByRole('status').waitFor();
  const staging = (await ui.berth.api('GET', `/api/v1/apps/${fx.app}/environments/staging`)).body;
  expect(staging.retention).toBe(3);
  expect(staging.settingSources.retention).toEqual({ level: 'environment', environment: 'staging' });
  expect(staging.settingSources.drainSeconds).toEqual({ level: 'environment', environment: 'prod' });
  expect(staging.settingSources.queuePolicy).toEqual({ level: 'default', environment: null });
});

test('domains: added past its DNS check, HTTPS state per host name, a certificate uploaded and served, then removed', async () => {
  await page.goto(`/ui/apps/${fx.app}`);
  const panel = page.getByRole('region', { name: 'prod', exact: true });
  const form = page.getByRole('form', { name: 'Add a domain to prod' });
  // Its DNS does not point here: refused with what it resolves to, nothing added.
  await form.getByLabel('Domain').fill(DOMAIN);
  await form.getByRole('button', { name: 'Add domain' }).click();
  await expect.poll(() => panel.getByRole('alert').first().textContent()).toMatch(/force|anyway/);
  expect((await ui.berth.api('GET', fx.base)).body.domains).toEqual([]);
  await form.getByLabel('Domain').fill(DOMAIN);
  await form.getByLabel('Add even if its DNS does not point here').check();
  await form.getByRole('button', { name: 'Add domain' }).click();
  const hostRow = page.locator('tr', { has: page.locator('code', { hasText: DOMAIN }) });
  await expect.poll(() => hostRow.textContent()).toMatch(/http-only/);
  expect((await ui.berth.api('GET', fx.base)).body.domains).toEqual([DOMAIN]);

  const leaf = ca.issue([DOMAIN]);
  await panel.getByText('Upload a certificate').click();
  const upload = page.getByRole('form', { name: 'Upload a certificate for prod' });
  await upload.getByLabel(/Certificate chain/).fill(`${leaf.cert}${ca.cert}`);
  await upload.getByLabel(/Private key/).fill(leaf.key);
  await upload.getByRole('button', { name: 'Upload' }).click();
  await expect.poll(() => hostRow.textContent(), { timeout: 30_000 }).toMatch(/issued.*uploaded.*Berth UI Config CA.*\d+ days left/);
  expect(await page.content()).not.toContain('PRIVATE KEY');
  await checkPage(page, '31-domains-https');

  page.once('dialog', (d) => void d.accept());
  await hostRow.getByRole('button', { name: `Remove ${DOMAIN}` }).click();
  await expect.poll(async () => (await ui.berth.api('GET', fx.base)).body.domains).toEqual([]);
  await expect.poll(() => hostRow.count()).toBe(0);
});
