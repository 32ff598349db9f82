// A newcomer's whole journey in real Chromium against a real Berth (Docker, Temporal, Traefik,
// PostgreSQL): the first administrator made with the setup token, a project and an app created,
// a deploy whose phases advance live, the new version answering through Traefik, a rollback
// from the releases list, and traffic back on the old version. Every page passes axe-core.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkPage, launchBrowser, newSession } from '../support/browser.js';
import { buildHello, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { startUiBerth, type UiBerth } from '../support/ui-berth.js';
import { waitFor } from '../support/wait.js';

const tags = { v1: 'berth-test/ui:v1', v2: 'berth-test/ui:v2' };
let ui: UiBerth;
let browser: Browser;
let page: Page;
let cspViolations: string[];
let host = '';

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  ui = await startUiBerth({ fresh: true });
  browser = await launchBrowser();
  ({ page, cspViolations } = await newSession(browser, ui.url));
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  removeImages(...Object.values(tags));
});

const served = async () => (await throughTraefik(host)).body.trim();

/** Deploys from the app page and waits on the deployment page until it succeeds, checking the phases moved while it ran. */
async function deployFromForm(image: string, by: 'mouse' | 'keyboard'): Promise<string> {
  await page.getByLabel('Image or tag').fill(image);
  // Enter in the field submits the form, as a keyboard user deploys.
  if (by === 'keyboard') await page.getByLabel('Image or tag').press('Enter');
  else await page.getByRole('button', { name: 'Deploy to production' }).click();
  await page.waitForURL(/\/ui\/deployments\/dep_/);
  // Phases appear one by one from the event stream, before the deployment ends.
  const seen = new Set<string>();
  await waitFor('the deployment to succeed while its phases advance', async () => {
    for (const p of await page.locator('.timeline .phase').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-phase')}:${e.getAttribute('data-outcome')}`))) seen.add(p);
    return (await page.getByTestId('status').textContent()) === 'succeeded';
  }, 60_000, 20);
  expect([...seen].some((p) => p.endsWith(':running')), `phases seen: ${[...seen].join(' ')}`).toBe(true);
  for (const phase of ['queued', 'create', 'start', 'health', 'route']) expect(await page.locator(`.timeline .phase[data-phase="${phase}"]`).count(), phase).toBe(1);
  await expect.poll(() => page.getByTestId('end-state').textContent()).toMatch(/Live now: release #\d+/);
  return page.url().split('/').at(-1) as string;
}

describe('a newcomer', () => {
  test('sets up the first administrator with the setup token and lands on the overview', async () => {
    await page.goto('/');
    await page.waitForURL(/\/ui\/setup/);
    await checkPage(page, '01-setup');
    await page.getByLabel('Setup token').fill(ui.server.setupToken as string);
    await page.getByLabel('E-mail').fill('ada@example.test');
    await page.getByLabel(/^Password/).fill('a long enough passphrase');
    await page.getByRole('button', { name: 'Create the administrator' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await checkPage(page, '02-overview-empty');
  });

  test('creates a project and an image app with its production environment', async () => {
    await page.getByLabel('Project name').fill('shop');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'shop' }).waitFor();
    const form = page.getByRole('form', { name: 'New app' });
    await form.getByLabel('App name').fill('web');
    await form.getByLabel('Default image').fill(tags.v1);
    await form.getByLabel('Health path').fill('/healthz');
    await form.getByRole('button', { name: 'Create app' }).click();
    await page.waitForURL(/\/ui\/apps\/web$/);
    await page.getByRole('heading', { name: 'production' }).waitFor();
    host = ((await page.getByRole('link', { name: /^http:\/\/web\.production\./ }).textContent()) as string).replace(/^http:\/\//, '').replace(/:\d+$/, '');
    await checkPage(page, '03-app');
  });

  test('deploys v1 (mouse), then v2 (keyboard), each watched live, each answering through Traefik', async () => {
    await deployFromForm(tags.v1, 'mouse');
    await checkPage(page, '04-deployment-v1');
    expect(await served()).toBe('v1');
    await page.getByRole('link', { name: 'web', exact: true }).click();
    await deployFromForm(tags.v2, 'keyboard');
    expect(await served()).toBe('v2');
    expect(await page.getByRole('link', { name: 'Workflow in the Temporal Web UI' }).getAttribute('href')).toMatch(/^https?:\/\//);
  });

  test('the overview shows what is live and how the last deployment ended', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    const row = page.getByRole('row', { name: /production/ });
    await expect.poll(() => row.textContent()).toMatch(/release #2/);
    expect(await row.textContent()).toMatch(/succeeded/);
    await checkPage(page, '05-overview');
  });

  test('rolls back from the releases list by keyboard, and traffic goes back to v1', async () => {
    await page.getByRole('link', { name: 'web', exact: true }).click();
    page.once('dialog', (d) => void d.accept());
    // By keyboard: the button takes focus, Enter presses it, the confirmation is accepted.
    await page.getByRole('button', { name: 'Roll back to #1' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ui\/deployments\/dep_/);
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toBe('succeeded');
    await expect.poll(() => page.getByTestId('end-state').textContent()).toMatch(/Live now: release #1/);
    expect(await served()).toBe('v1');
    await page.getByRole('link', { name: 'web', exact: true }).click();
    await expect.poll(() => page.locator('tr.live').textContent()).toMatch(/^1/);
    await checkPage(page, '06-app-after-rollback');
  });

  test('is usable by keyboard: the skip link and the navigation take focus in order', async () => {
    await page.goto('/ui/');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Berth');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Overview');
  });

  test('signs out, and the pages ask to sign in again; nothing broke the Content-Security-Policy', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/ui\/sign-in/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await checkPage(page, '07-sign-in');
    expect(cspViolations).toEqual([]);
  });
});
