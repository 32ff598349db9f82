// Notification channels in the web UI, in real Chromium against a real Berth: a bad Telegram
// token refused with the API's words and nothing made; a webhook channel added (its signing
// secret shown once, its URL only masked in the list), a test sent to a real loopback receiver
// (the answer shown, the delivery in the channel's log), then removed after a confirmation.
// A project's channels are reached by the scope choice. Each change is checked through the API.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeUser } from '../support/accounts.js';
import { checkPage, launchBrowser, newSession, signIn } from '../support/browser.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.js';
import { startUiBerth, type UiBerth } from '../support/ui-berth.js';

const PASSWORD = 'a long enough passphrase';
const SECRET_PATH = '/hook/s3cr3t-token-in-the-path';
let ui: UiBerth;
let browser: Browser;
let page: Page;
let http: HttpReceiver;

const channels = async (path = '/api/v1/notification-channels') => (await ui.berth.api('GET', path)).body.items as { id: string; name: string; kind: string; destination: Record<string, unknown> }[];

beforeAll(async () => {
  ui = await startUiBerth();
  http = await startHttpReceiver();
  const admin = await makeUser(ui.berth.database.db, { isAdmin: true, email: 'notify@example.test', password: PASSWORD });
  expect((await ui.berth.api('POST', '/api/v1/projects', { name: 'alerts' })).status).toBe(201);
  browser = await launchBrowser();
  ({ page } = await newSession(browser, ui.url));
  await signIn(page, admin.email, PASSWORD);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  await http?.close();
});

test('a bad destination is refused with the API’s words, and nothing is made', async () => {
  await page.goto('/ui/notifications');
  const form = page.getByRole('form', { name: 'New channel' });
  await form.getByLabel('Name').fill('tg');
  await form.getByLabel('Kind').selectOption('telegram');
  await form.getByLabel('Bot token').fill('not-a-token');
  await form.getByLabel('Chat id').fill('12345');
  await form.getByRole('button', { name: 'Add channel' }).click();
  await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/bot token/);
  expect(await channels()).toEqual([]);
});

test('a webhook channel: added with its secret shown once, tested against a real receiver, its log read, removed', async () => {
  await page.goto('/ui/notifications');
  const form = page.getByRole('form', { name: 'New channel' });
  await form.getByLabel('Name').fill('ops-hook');
  await form.getByLabel('Kind').selectOption('webhook');
  await form.getByLabel('URL', { exact: true }).fill(http.url(SECRET_PATH));
  await form.getByLabel('health.lost').check();
  await form.getByLabel('container.oom_killed').check();
  await form.getByRole('button', { name: 'Add channel' }).click();
  await expect.poll(() => page.getByTestId('channel-note').textContent()).toMatch(/Channel ops-hook added\. Its signing secret, shown this once: whsec_/);
  const [made] = await channels();
  expect(made).toMatchObject({ name: 'ops-hook', kind: 'webhook' });
  const row = page.getByRole('row', { name: /ops-hook/ });
  await expect.poll(() => row.textContent()).toMatch(/health\.lost, container\.oom_killed/);
  // The URL's path is its token: the list shows scheme and host only, and the page holds no secret.
  expect(await row.textContent()).toContain(`url: http://${new URL(http.url('/')).host}/…`);
  const secret = (await page.getByTestId('channel-note').textContent())?.match(/whsec_\S+/)?.[0] ?? '';
  await page.goto('/ui/notifications');
  await page.getByRole('row', { name: /ops-hook/ }).waitFor();
  const html = await page.content();
  expect(html).not.toContain(SECRET_PATH);
  expect(html).not.toContain(secret);
  await checkPage(page, '60-notification-channels');

  await page.getByRole('button', { name: 'Send test to ops-hook' }).click();
  await expect.poll(() => page.getByTestId('channel-note').textContent(), { timeout: 20_000 }).toMatch(/Test to ops-hook: sent, the receiver answered 200/);
  const got = http.accepted(SECRET_PATH);
  expect(got).toHaveLength(1);
  expect((JSON.parse(got[0]?.body ?? '{}') as { type: string }).type).toBe('test');
  await page.getByRole('button', { name: 'Deliveries of ops-hook' }).click();
  const log = page.getByRole('region', { name: 'Deliveries of ops-hook' });
  await expect.poll(() => log.locator('tbody tr').first().textContent()).toMatch(/test.*sent \(200\)/);
  await checkPage(page, '61-notification-deliveries');

  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Remove ops-hook' }).click();
  await expect.poll(() => page.getByTestId('channel-note').textContent()).toMatch(/Channel ops-hook removed/);
  expect(await channels()).toEqual([]);
}, 60_000);

test('a project’s channels are reached by the scope, and added there', async () => {
  await page.goto('/ui/notifications');
  await page.getByLabel('Channels of').selectOption('alerts');
  await page.getByRole('heading', { name: 'Add a channel to project alerts' }).waitFor();
  const form = page.getByRole('form', { name: 'New channel' });
  await form.getByLabel('Name').fill('team-slack');
  await form.getByLabel('Kind').selectOption('slack');
  await form.getByLabel(/Webhook URL/).fill('https://hooks.slack.com/services/T000/B000/XXXXSECRET');
  await form.getByRole('button', { name: 'Add channel' }).click();
  await page.getByRole('row', { name: /team-slack/ }).waitFor();
  expect(await page.getByRole('row', { name: /team-slack/ }).textContent()).toContain('url: https://hooks.slack.com/…');
  expect(await page.content()).not.toContain('XXXXSECRET');
  expect((await channels('/api/v1/projects/alerts/notification-channels')).map((c) => c.name)).toEqual(['team-slack']);
  expect(await channels()).toEqual([]);
  expect(page.url()).toMatch(/\/ui\/notifications\?project=alerts$/);
}, 30_000);
