// The administrator's pages in real Chromium against a real Berth: an account added (a short
// password refused with nothing made), disabled (its sign-in then refused) and enabled again; a
// project role given, changed and taken back; an API token made (shown once), working within its
// scope, then revoked; the cleanup's dry run. Each change is checked against the API, not only
// on the page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeUser } from '../support/accounts.js';
import { checkPage, launchBrowser, newSession, signIn } from '../support/browser.js';
import { startUiBerth, type UiBerth } from '../support/ui-berth.js';

const PASSWORD = 'a long enough passphrase';
const NEW = { email: 'newcomer@example.test', password: 'another long passphrase' };
let ui: UiBerth;
let browser: Browser;
let page: Page;

const login = (email: string, password: string) =>
  fetch(`${ui.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }).then((r) => r.status);

beforeAll(async () => {
  ui = await startUiBerth();
  const admin = await makeUser(ui.berth.database.db, { isAdmin: true, email: 'root@example.test', password: PASSWORD });
  expect((await ui.berth.api('POST', '/api/v1/projects', { name: 'adminproj' })).status).toBe(201);
  browser = await launchBrowser();
  ({ page } = await newSession(browser, ui.url));
  await signIn(page, admin.email, PASSWORD);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

const users = async () => (await ui.berth.api('GET', '/api/v1/users')).body.items as { email: string; disabled: boolean }[];

test('users: added (a short password refused first), disabled and enabled again', async () => {
  await page.goto('/ui/users');
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('E-mail').fill(NEW.email);
  await form.getByLabel('Name').fill('New Comer');
  // The browser's own check (minlength) would stop a short password; the API's answer is what counts.
  await form.getByLabel(/Password/).evaluate((el) => el.removeAttribute('minlength'));
  await form.getByLabel(/Password/).fill('short');
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/password/i);
  expect((await users()).map((u) => u.email)).not.toContain(NEW.email);

  await form.getByLabel(/Password/).fill(NEW.password);
  await form.getByRole('button', { name: 'Add user' }).click();
  await page.getByRole('button', { name: `Disable ${NEW.email}` }).waitFor();
  expect(await login(NEW.email, NEW.password)).toBe(200);

  await page.getByRole('button', { name: `Disable ${NEW.email}` }).click();
  await page.getByRole('button', { name: `Enable ${NEW.email}` }).waitFor();
  expect((await users()).find((u) => u.email === NEW.email)?.disabled).toBe(true);
  expect(await login(NEW.email, NEW.password)).toBe(401);
  await page.getByRole('button', { name: `Enable ${NEW.email}` }).click();
  await page.getByRole('button', { name: `Disable ${NEW.email}` }).waitFor();
  expect(await login(NEW.email, NEW.password)).toBe(200);
  await checkPage(page, '32-users-added');
});

test('project roles: given, changed and taken back', async () => {
  await page.goto('/ui/users');
  const members = page.getByRole('region', { name: 'Members of adminproj' });
  const form = page.getByRole('form', { name: 'Add a member to adminproj' });
  const roleOf = async () => ((await ui.berth.api('GET', '/api/v1/projects/adminproj/members')).body.items as { email: string; role: string }[]).find((m) => m.email === NEW.email)?.role;
  await form.getByLabel('E-mail').fill(NEW.email);
  await form.getByLabel('Role').selectOption('deployer');
  await form.getByRole('button', { name: 'Add or change role' }).click();
  await expect.poll(() => members.locator('tr', { hasText: NEW.email }).textContent()).toMatch(/deployer/);
  expect(await roleOf()).toBe('deployer');
  await form.getByLabel('E-mail').fill(NEW.email);
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByRole('button', { name: 'Add or change role' }).click();
  await expect.poll(() => members.locator('tr', { hasText: NEW.email }).textContent()).toMatch(/viewer/);
  expect(await roleOf()).toBe('viewer');
  await members.getByRole('button', { name: `Remove ${NEW.email}` }).click();
  await expect.poll(() => members.locator('tr', { hasText: NEW.email }).count()).toBe(0);
  expect(await roleOf()).toBeUndefined();
});

test('tokens: made and shown once, held to their scope, revoked', async () => {
  await page.goto('/ui/tokens');
  const form = page.getByRole('form', { name: 'New token' });
  await form.getByLabel('Name').fill('ci-reader');
  await form.getByLabel('Scope').selectOption('read');
  await form.getByRole('button', { name: 'Make token' }).click();
  const token = (await page.getByTestId('new-token').textContent()) ?? '';
  expect(token.length).toBeGreaterThan(20);
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${ui.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.status);
  expect(await call('GET', '/projects')).toBe(200);
  expect(await call('POST', '/projects', { name: 'not-allowed' })).toBe(403);
  // Shown once: a reload lists it by its prefix only.
  await page.reload();
  await page.getByRole('button', { name: 'Revoke ci-reader' }).waitFor();
  expect(await page.content()).not.toContain(token);
  await page.getByRole('button', { name: 'Revoke ci-reader' }).click();
  await expect.poll(() => page.locator('tr', { hasText: 'ci-reader' }).textContent()).toMatch(/revoked/);
  expect(await call('GET', '/projects')).toBe(401);
  await checkPage(page, '33-tokens-revoked');
});

test('cleanup: the dry run says what would go and offers the removal', async () => {
  await page.goto('/ui/cleanup');
  await page.getByRole('button', { name: 'Dry run: what would go' }).click();
  await page.getByRole('heading', { name: 'Would remove' }).waitFor();
  expect(await page.getByText(/Build cache: \d+ records/).count()).toBe(1);
  expect(await page.getByRole('button', { name: 'Remove them' }).count()).toBe(1);
});
