// The generic signed webhook: any host or CI deploys a ref of an app's repository by the app's
// rules, signed in the Standard Webhooks format. A signed push deploys live through Traefik; a
// wrong, missing or stale (replayed outside the window) signature → 401, a replay inside the
// window is a duplicate, a bad body → 400, over the limit → 413, and none of these stores a row.
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { genericWebhooks, webhookDeliveries } from '../../db/schema/index.js';
import { builtImageTag } from '../../src/domain/git-build.js';
import { signStandard } from '../../src/git-hosts/generic/standard-webhooks.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const MAX_BYTES = 16 * 1024;
let berth: TestBerth;
let repo: LocalRepo;
let hook: { id: string; path: string; secret: string };
const images: string[] = [];

const ok = async (method: string, path: string, body?: unknown) => {
  const res = await berth.api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

beforeAll(async () => {
  berth = await startBerth({ env: { BERTH_WEBHOOK_MAX_BYTES: String(MAX_BYTES) } });
  repo = createLocalRepo();
  await ok('POST', '/api/v1/projects', { name: 'ci' });
  const healthCheck = { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 2000 };
  await ok('POST', '/api/v1/apps', { project: 'ci', name: 'hooked', kind: 'git', port: 8080, healthCheck, git: { url: repo.url, buildArgs: { RUN_ID: randomUUID() } } });
  await ok('POST', '/api/v1/apps/hooked/environments', { name: 'prod', drainSeconds: 0 });
  await ok('PUT', '/api/v1/apps/hooked/rules', { rules: [{ event: 'push', pattern: 'main', environment: 'prod' }] });
  hook = await ok('POST', '/api/v1/apps/hooked/webhooks');
});

afterAll(async () => {
  await berth?.close();
  repo?.remove();
  removeImages(...images);
});

const rows = async () => (await berth.database.db.select({ n: count() }).from(webhookDeliveries))[0]?.n ?? 0;
const now = () => Math.floor(Date.now() / 1000);
function send(body: string, options: { id?: string; timestamp?: number; secret?: string; headers?: Record<string, string>; path?: string } = {}) {
  const id = options.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = options.timestamp ?? now();
  const headers = options.headers ?? { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandard(options.secret ?? hook.secret, id, timestamp, body) };
  return berth.app.request(options.path ?? hook.path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('generic signed webhooks', () => {
  test('the secret is shown once, sealed at rest, never listed', async () => {
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = await ok('GET', '/api/v1/apps/hooked/webhooks');
    expect(listed.items).toEqual([{ id: hook.id, path: `/webhooks/generic/${hook.id}`, createdAt: expect.any(String) }]);
    const [row] = await berth.database.db.select().from(genericWebhooks).where(eq(genericWebhooks.id, hook.id));
    expect(row?.secretSealed).toMatch(/^v2\.[0-9a-z]+\./);
    expect(JSON.stringify(row)).not.toContain(hook.secret.slice('whsec_'.length));
  });

  test('a signed ref deploys by the app’s rules, live through Traefik', async () => {
    const sha = repo.commit('from ci');
    images.push(builtImageTag(berth.config.instance, 'hooked', sha));
    const res = await send(JSON.stringify({ ref: 'refs/heads/main', sha }));
    expect(res.status).toBe(202);
    const { delivery } = (await res.json()) as { delivery: string };
    const done = await waitFor('the delivery to be processed', async () => {
      const d = await berth.api('GET', `/api/v1/github/deliveries/${delivery}`);
      return d.body?.outcome && d.body.outcome !== 'pending' ? d.body : undefined;
    });
    expect(done.outcome, done.message).toBe('deployed');
    expect(done.results[0]).toMatchObject({ app: 'hooked', environment: 'prod', rule: 'push main → prod' });
    const d = await waitForDeployment(berth, done.results[0].deploymentId, 240_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.request.sha).toBe(sha);
    expect((await throughTraefik('hooked.prod.localhost')).body.trim()).toBe('from ci');
  }, 300_000);

  test('wrong, missing and stale signatures, unknown hooks, bad bodies and big bodies store nothing', async () => {
    const before = await rows();
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    expect((await send(body, { secret: 'whsec_' + Buffer.from('not the secret at all, really').toString('base64') })).status).toBe(401);
    expect((await send(body, { headers: {} })).status).toBe(401);
    // A delivery captured and replayed ten minutes later: its signed timestamp is out of the window.
    expect((await send(body, { timestamp: now() - 600 })).status).toBe(401);
    expect((await send(body, { timestamp: now() + 600 })).status).toBe(401);
    expect((await send(body, { path: '/webhooks/generic/whk_0000000000aaaa' })).status).toBe(401);
    // Its signature moved onto another body.
    const id = 'msg_moved';
    const ts = now();
    const moved = await send(JSON.stringify({ ref: 'refs/heads/evil' }), { headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(hook.secret, id, ts, body) } });
    expect(moved.status).toBe(401);
    for (const bad of [{ ref: 'refs/heads/--upload-pack=touch /tmp/x' }, { ref: 'main' }, { ref: 'refs/heads/$(id)' }, { ref: 'refs/heads/main', sha: 'HEAD' }, { ref: 'refs/heads/main', url: 'ext::sh' }]) {
      const res = await send(JSON.stringify(bad));
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await send(JSON.stringify({ ref: 'refs/heads/main', pad: 'x'.repeat(MAX_BYTES) }))).status).toBe(413);
    expect(await rows()).toBe(before);
  });

  test('a replay inside the window is a duplicate: one row', async () => {
    const before = await rows();
    const body = JSON.stringify({ ref: 'refs/heads/nobody-deploys-this' });
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    const ts = now();
    expect(await (await send(body, { id, timestamp: ts })).json()).toMatchObject({ status: 'accepted' });
    expect(await (await send(body, { id, timestamp: ts })).json()).toMatchObject({ status: 'duplicate' });
    expect(await rows()).toBe(before + 1);
  });
});
