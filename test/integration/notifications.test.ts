// Notifications end to end against real local receivers: a deploy of a real container notifies
// each channel that subscribes to its events, in its service's documented shape (the generic
// webhook signed per Standard Webhooks and checked here independently, mail through a real SMTP
// server); secrets are sealed at rest and masked in answers; bad input changes nothing; a
// receiver that fails at first gets each message once, after retries.
import { createHmac } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { notificationChannels, projects } from '../../db/schema/index.js';
import { addMember, makeToken, makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type Received, type SmtpReceiver } from '../support/notification-receivers.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const TAG = 'berth-test/notify:a';
const SLACK_TOKEN = 'T0001/B0002/slacksecretpath0001';
const BOT_TOKEN = `123456:${'A'.repeat(35)}`;
const ROUTING_KEY = 'R'.repeat(32);
const SMTP_PASSWORD = 'smtp-password-never-shown';

let berth: TestBerth;
let fx: AppFixture;
let http: HttpReceiver;
let smtp: SmtpReceiver;
const base = '/api/v1/projects/p-notify/notification-channels';

/** The receiver's own check of a Standard Webhooks signature and timestamp window. */
function verifyStandardWebhook(r: Received, secret: string): boolean {
  const id = String(r.headers['webhook-id']);
  const ts = Number(r.headers['webhook-timestamp']);
  if (Math.abs(Date.now() / 1000 - ts) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

async function addChannel(name: string, destination: Record<string, unknown>, subscriptions?: unknown[]) {
  const res = await berth.api('POST', base, { name, destination, ...(subscriptions ? { subscriptions } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; signingSecret?: string; destination: Record<string, unknown> };
}

beforeAll(async () => {
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver();
  buildHello(TAG, { version: 'a' });
  berth = await startBerth({
    env: {
      BERTH_TELEGRAM_API_URL: http.url('/telegram'),
      BERTH_PAGERDUTY_EVENTS_URL: http.url('/pagerduty/v2/enqueue'),
      BERTH_NOTIFY_RETRY_MS: '100',
      BERTH_NOTIFY_MAX_RETRY_MS: '400',
      BERTH_NOTIFY_MAX_ATTEMPTS: '6',
    },
  });
  fx = await createImageApp(berth, { app: 'notify', image: TAG });
});

afterAll(async () => {
  await berth?.close();
  await http?.close();
  await smtp?.close();
  removeImages(TAG);
});

test('a deploy notifies each subscribed channel in its documented shape', async () => {
  // A deploy with no channel yet, to compare its duration with one that notifies seven.
  const quiet = await waitForDeployment(berth, await deploy(berth, fx));
  expect(quiet.status).toBe('succeeded');
  const webhook = await addChannel('hooks', { kind: 'webhook', url: http.url('/hook') });
  expect(webhook.signingSecret).toMatch(/^whsec_/);
  await addChannel('slack', { kind: 'slack', url: http.url(`/slack/services/${SLACK_TOKEN}`) }, [{ app: 'notify', events: ['deploy.succeeded', 'deploy.failed'] }]);
  await addChannel('discord', { kind: 'discord', url: http.url('/discord/api/webhooks/1/tok') }, [{ environment: 'staging', events: ['*'] }]);
  await addChannel('teams', { kind: 'teams', url: http.url('/teams/workflows/1') }, [{ environment: 'prod', events: ['deploy.started', 'deploy.succeeded'] }]);
  await addChannel('telegram', { kind: 'telegram', botToken: BOT_TOKEN, chatId: '-1001234' }, [{ events: ['deploy.succeeded'] }]);
  await addChannel('pagerduty', { kind: 'pagerduty', routingKey: ROUTING_KEY }, [{ events: ['deploy.failed', 'deploy.succeeded'] }]);
  await addChannel('mail', { kind: 'email', host: '127.0.0.1', port: smtp.port, from: 'berth@example.test', to: ['ops@example.test'], user: null, password: null }, [{ events: ['deploy.succeeded'] }]);

  const id = await deploy(berth, fx);
  const done = await waitForDeployment(berth, id);
  expect(done.status).toBe('succeeded');

  const hooks = await waitFor('three signed webhooks', async () => (http.accepted('/hook').length >= 3 ? http.accepted('/hook') : undefined));
  for (const r of hooks) expect(verifyStandardWebhook(r, webhook.signingSecret as string)).toBe(true);
  const bodies = hooks.map((r) => JSON.parse(r.body) as { type: string; data: { facts: Record<string, string> } });
  expect(bodies.map((b) => b.type).sort()).toEqual(['deploy.queued', 'deploy.started', 'deploy.succeeded']);
  expect(bodies[0]?.data.facts).toMatchObject({ app: 'notify', environment: 'prod', deploymentId: id });
  expect(new Set(hooks.map((r) => r.headers['webhook-id'])).size).toBe(3);
  const succeeded = hooks.find((r) => r.body.includes('"deploy.succeeded"'));
  const took = (d: { createdAt: string; finishedAt: string }) => Date.parse(d.finishedAt) - Date.parse(d.createdAt);
  process.stdout.write(
    `notifications: deployment recorded as succeeded → signed webhook received: ${(succeeded?.at ?? 0) - Date.parse(done.finishedAt)} ms; deploy with no channel ${took(quiet)} ms, with seven ${took(done)} ms\n`,
  );

  const slack = await waitFor('slack', async () => http.accepted('/slack/')[0]);
  expect(slack.path).toBe(`/slack/services/${SLACK_TOKEN}`);
  const slackBody = JSON.parse(slack.body) as { text: string; blocks: { type: string }[] };
  expect(slackBody.text).toContain('notify/prod');
  expect(slackBody.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);

  const teams = await waitFor('teams', async () => (http.accepted('/teams/').length >= 2 ? http.accepted('/teams/') : undefined));
  const card = JSON.parse(teams[0]?.body ?? '{}') as { type: string; attachments: { contentType: string; content: { type: string; body: unknown[] } }[] };
  expect(card.type).toBe('message');
  expect(card.attachments[0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } });

  const telegram = await waitFor('telegram', async () => http.accepted('/telegram/')[0]);
  expect(telegram.path).toBe(`/telegram/bot${BOT_TOKEN}/sendMessage`);
  expect(JSON.parse(telegram.body)).toMatchObject({ chat_id: '-1001234' });

  const pd = await waitFor('pagerduty', async () => http.accepted('/pagerduty/')[0]);
  expect(pd.path).toBe('/pagerduty/v2/enqueue');
  expect(JSON.parse(pd.body)).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: `berth-deploy-${fx.environmentId}` });

  const mail = await waitFor('a mail', async () => smtp.mails[0]);
  expect(mail.to).toEqual(['ops@example.test']);
  expect(mail.raw).toMatch(/Subject: \[Berth\] notify\/prod: deploy succeeded/);
  expect(mail.raw).toContain(`deploymentId: ${id}`);

  // Routed away: the discord channel wants staging only.
  expect(http.requests.filter((r) => r.path.startsWith('/discord/'))).toEqual([]);
  // Nothing more arrives (no doubles), and the delivery log says sent for each.
  await new Promise((r) => setTimeout(r, 1000));
  expect(http.accepted('/hook')).toHaveLength(3);
  expect(http.accepted('/slack/')).toHaveLength(1);
  const log = await berth.api('GET', `${base}/${webhook.id}/messages`);
  expect(log.status).toBe(200);
  expect(log.body.items.map((m: { status: string }) => m.status)).toEqual(['sent', 'sent', 'sent']);
  expect(log.body.items.map((m: { id: string }) => m.id).sort()).toEqual(hooks.map((r) => r.headers['webhook-id']).sort());
});

test('secrets are sealed at rest and masked in every answer', async () => {
  const ch = await addChannel('secret-mail', { kind: 'email', host: '127.0.0.1', port: smtp.port, from: 'berth@example.test', to: ['ops@example.test'], user: 'ops', password: SMTP_PASSWORD });
  expect(ch.destination.password).toBe('••••••••');
  const rows = await berth.database.db.execute(sql`select settings::text as s, secrets_sealed as x from notification_channels`);
  const dump = JSON.stringify(rows);
  for (const secret of [SMTP_PASSWORD, SLACK_TOKEN, BOT_TOKEN, ROUTING_KEY]) expect(dump).not.toContain(secret);
  const list = await berth.request(base);
  const text = await list.text();
  for (const secret of [SMTP_PASSWORD, SLACK_TOKEN, BOT_TOKEN, ROUTING_KEY, 'whsec_']) expect(text).not.toContain(secret);
  expect(text).toContain(http.url('/').replace(/\/$/, '/…'));
});

test('bad input is refused with 400 and changes nothing', async () => {
  const [count] = await berth.database.db.select({ n: sql<number>`count(*)::int` }).from(notificationChannels);
  const bad = [
    { name: 'x', destination: { kind: 'webhook', url: 'ftp://example.test/hook' } },
    { name: 'x', destination: { kind: 'carrier-pigeon', url: http.url('/x') } },
    { name: 'x', destination: { kind: 'webhook', url: http.url('/x'), secret: 'whsec_tooshort' } },
    { name: 'x', destination: { kind: 'telegram', botToken: 'nope', chatId: '1' } },
    { name: 'x', destination: { kind: 'email', host: 'smtp.example.test', from: 'not-an-address', to: ['a@b.test'] } },
    { name: 'x', destination: { kind: 'slack', url: http.url('/s') }, subscriptions: [{ events: ['deploy.exploded'] }] },
    { name: 'x', destination: { kind: 'slack', url: http.url('/s') }, subscriptions: [{ app: 'not-in-project', events: ['*'] }] },
    { name: '', destination: { kind: 'slack', url: http.url('/s') } },
  ];
  for (const b of bad) expect((await berth.api('POST', base, b)).status, JSON.stringify(b)).toBe(400);
  const ch = await addChannel('patched', { kind: 'slack', url: http.url('/slack/keep') });
  expect((await berth.api('PATCH', `${base}/${ch.id}`, { name: 'renamed', destination: { kind: 'slack', url: 'nope' } })).status).toBe(400);
  expect((await berth.api('PATCH', `${base}/${ch.id}`, { name: 'renamed', subscriptions: [{ app: 'ghost', events: ['*'] }] })).status).toBe(400);
  const after = await berth.api('GET', `${base}/${ch.id}`);
  expect(after.body.name).toBe('patched');
  const [count2] = await berth.database.db.select({ n: sql<number>`count(*)::int` }).from(notificationChannels);
  expect(count2?.n).toBe((count?.n ?? 0) + 1);
  expect((await berth.api('GET', `${base}/ntc_0000000000aaaaaaaaaa`)).status).toBe(404);
});

test('send test answers with the receiver’s answer; a failing receiver gets its message once, after retries', async () => {
  const ok = await addChannel('test-ok', { kind: 'discord', url: http.url('/discord-ok/1/t') }, []);
  const sent = await berth.api('POST', `${base}/${ok.id}/test`);
  expect(sent.status).toBe(200);
  expect(sent.body).toMatchObject({ outcome: 'sent', responseStatus: 200, error: null });
  expect(http.accepted('/discord-ok/')).toHaveLength(1);

  const gone = await addChannel('test-404', { kind: 'slack', url: http.url('/gone/1') }, []);
  http.answer = (path) => (path.startsWith('/gone/') ? 404 : 200);
  const refused = await berth.api('POST', `${base}/${gone.id}/test`);
  expect(refused.body).toMatchObject({ outcome: 'failed', responseStatus: 404 });

  // Three 503s, then accepted: the fourth attempt delivers, once.
  let failures = 0;
  http.answer = (path) => (path.startsWith('/flaky') && failures++ < 3 ? 503 : 200);
  const flaky = await addChannel('flaky', { kind: 'webhook', url: http.url('/flaky') }, [{ events: ['deploy.succeeded'] }]);
  const id = await deploy(berth, fx);
  expect((await waitForDeployment(berth, id)).status).toBe('succeeded');
  const messages = await waitFor('the flaky message sent', async () => {
    const res = await berth.api('GET', `${base}/${flaky.id}/messages`);
    return res.body.items[0]?.status === 'sent' ? res.body.items : undefined;
  });
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatchObject({ eventType: 'deploy.succeeded', attempts: 4, responseStatus: 200 });
  expect(http.requests.filter((r) => r.path === '/flaky').map((r) => r.status)).toEqual([503, 503, 503, 200]);
  http.answer = () => 200;
});

test('a project’s channels are its admins’ to manage; others do not see them', async () => {
  const [p] = await berth.database.db.select().from(projects).where(eq(projects.name, 'p-notify'));
  const viewer = await makeUser(berth.database.db, { email: 'viewer@notify.test' });
  await addMember(berth.database.db, p?.id as string, viewer.id, 'viewer');
  const viewerToken = await makeToken(berth.database.db, viewer.id, { scope: 'admin' });
  const stranger = await makeUser(berth.database.db, { email: 'stranger@notify.test' });
  const strangerToken = await makeToken(berth.database.db, stranger.id, { scope: 'admin' });
  expect((await berth.api('GET', base, undefined, viewerToken)).status).toBe(200);
  expect((await berth.api('POST', base, { name: 'v', destination: { kind: 'slack', url: http.url('/v') } }, viewerToken)).status).toBe(403);
  expect((await berth.api('GET', base, undefined, strangerToken)).status).toBe(403);
  expect((await berth.api('GET', '/api/v1/notification-channels', undefined, viewerToken)).status).toBe(403);
  // The instance's channels are apart from the project's.
  const global = await berth.api('POST', '/api/v1/notification-channels', { name: 'ops', destination: { kind: 'slack', url: http.url('/ops') } });
  expect(global.status).toBe(201);
  expect(global.body.project).toBeNull();
  expect((await berth.api('GET', `${base}/${global.body.id}`)).status).toBe(404);
});

test('reconcile healing a removed container notifies reconcile.healed', async () => {
  const ch = await addChannel('healing', { kind: 'webhook', url: http.url('/healed') }, [{ app: 'notify', events: ['reconcile.healed'] }]);
  expect((await waitForDeployment(berth, await deploy(berth, fx))).status).toBe('succeeded');
  const running = (await berth.containers(fx.environmentId)).filter((c) => c.State === 'running');
  expect(running.length).toBeGreaterThan(0);
  await berth.docker.getContainer(running[0]?.Id as string).remove({ force: true });
  const healed = await waitFor('a reconcile.healed notification', async () => http.accepted('/healed')[0], 60_000, 100);
  const body = JSON.parse(healed.body) as { type: string; data: { text: string; facts: Record<string, string> } };
  expect(body.type).toBe('reconcile.healed');
  expect(body.data.facts).toMatchObject({ app: 'notify', environment: 'prod' });
  expect(verifyStandardWebhook(healed, ch.signingSecret as string)).toBe(true);
});
