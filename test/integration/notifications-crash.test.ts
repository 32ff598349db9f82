// The worker process is SIGKILLed while notifications are pending (their receiver down, the
// deliveries retrying), and again in the middle of a deploy that is emitting them. After a new
// worker starts, the receiver has processed each notification exactly once: the attempts of one
// message all carry its webhook-id, which the receiver de-duplicates by as the Standard
// Webhooks spec asks. A worker killed between the receiver's 2xx and Berth's record of it makes
// one more attempt with the same webhook-id (at-least-once delivery); the test counts those.
import type { ChildProcess } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { notificationMessages } from '../../db/schema/index.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startHttpReceiver, type HttpReceiver, type Received } from '../support/notification-receivers.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const TAG = 'berth-test/notify-crash:a';
let berth: TestBerth;
let fx: AppFixture;
let http: HttpReceiver;
let worker: ChildProcess | null = null;
let channelId = '';
let receiverUp = true;

const keyOf = (r: Received) => (JSON.parse(r.body) as { data: { key: string } }).data.key;

/** Per event key: how often it was accepted, and the webhook-ids its requests carried. */
function tally(deploymentId: string) {
  const byKey = new Map<string, { accepted: number; ids: Set<string> }>();
  for (const r of http.requests.filter((x) => x.path === '/hook' && keyOf(x).startsWith(deploymentId))) {
    const t = byKey.get(keyOf(r)) ?? { accepted: 0, ids: new Set<string>() };
    if (r.status < 300) t.accepted++;
    t.ids.add(String(r.headers['webhook-id']));
    byKey.set(keyOf(r), t);
  }
  return byKey;
}

/** Processed once per webhook-id; requests beyond that are the duplicates a receiver drops. */
async function expectEachOnce(deploymentId: string): Promise<number> {
  const keys = ['deploy.queued', 'deploy.started', 'deploy.succeeded'].map((t) => `${deploymentId}:${t}`);
  await waitFor(`three notifications of ${deploymentId}`, async () => keys.every((k) => (tally(deploymentId).get(k)?.accepted ?? 0) >= 1), 60_000, 50);
  // Anything doubled would arrive within the retry interval.
  await new Promise((r) => setTimeout(r, 1500));
  const t = tally(deploymentId);
  expect([...t.keys()].sort()).toEqual([...keys].sort());
  for (const k of keys) {
    expect(t.get(k)?.ids.size, `${k}: one webhook-id across its attempts`).toBe(1);
    expect(t.get(k)?.accepted, k).toBeGreaterThanOrEqual(1);
  }
  await waitFor('the log to say sent', async () => {
    const rows = await berth.database.db.select().from(notificationMessages).where(eq(notificationMessages.channelId, channelId));
    return keys.every((k) => rows.find((m) => m.event.key === k)?.status === 'sent');
  });
  return keys.reduce((n, k) => n + (t.get(k)?.accepted ?? 0) - 1, 0);
}

beforeAll(async () => {
  buildHello(TAG, { version: 'a' });
  http = await startHttpReceiver();
  http.answer = () => (receiverUp ? 200 : 503);
  berth = await startBerth({ workers: false, env: { BERTH_NOTIFY_RETRY_MS: '200', BERTH_NOTIFY_MAX_RETRY_MS: '1000', BERTH_NOTIFY_MAX_ATTEMPTS: '100' } });
  fx = await createImageApp(berth, { app: 'ncrash', image: TAG });
  const ch = await berth.api('POST', '/api/v1/projects/p-ncrash/notification-channels', { name: 'hooks', destination: { kind: 'webhook', url: http.url('/hook') } });
  expect(ch.status).toBe(201);
  channelId = ch.body.id;
  worker = await berth.spawnWorker();
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await berth?.close();
  await http?.close();
  removeImages(TAG);
});

test('killed while deliveries retry against a receiver that is down: each arrives once when it is back', async () => {
  receiverUp = false;
  const id = await deploy(berth, fx);
  expect((await waitForDeployment(berth, id)).status).toBe('succeeded');
  // Every message has been tried and refused at least twice: the deliveries are pending.
  await waitFor('deliveries retrying', async () => {
    const rows = await berth.database.db.select().from(notificationMessages).where(eq(notificationMessages.channelId, channelId));
    return rows.length === 3 && rows.every((m) => m.status === 'pending' && m.attempts >= 2);
  });
  worker?.kill('SIGKILL');
  receiverUp = true;
  worker = await berth.spawnWorker();
  // Nothing had reached the receiver: not one duplicate.
  expect(await expectEachOnce(id)).toBe(0);
}, 180_000);

test('killed mid-deploy as its first notification lands: none lost, the one in flight sent again under its webhook-id', async () => {
  const id = await deploy(berth, fx);
  await waitFor('the first notification', async () => http.accepted('/hook').some((r) => keyOf(r) === `${id}:deploy.queued`), 30_000, 5);
  worker?.kill('SIGKILL');
  worker = await berth.spawnWorker();
  expect((await waitForDeployment(berth, id, 90_000)).status).toBe('succeeded');
  const duplicates = await expectEachOnce(id);
  process.stdout.write(`notifications-crash: killed mid-deploy; duplicates the receiver dropped by webhook-id: ${duplicates}\n`);
  expect(duplicates).toBeLessThanOrEqual(1);
}, 180_000);
