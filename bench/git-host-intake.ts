// Intake per git host: Gitea, GitLab and Bitbucket deliveries (each in its own format and
// signature: HMAC hex, secret token, X-Hub-Signature) at 500/s offered, open loop, through a
// real `berth api` process (connection lookup, verification, parse, one INSERT, 202), with p99
// beside a bare Hono endpoint in its own process measured in the same run. Every unique
// delivery must be stored once, nothing refused, and all handed to intake workflows.
import { createHmac, randomUUID } from 'node:crypto';
import { and, count, isNull, like } from 'drizzle-orm';
import { webhookDeliveries } from '../db/schema/index.js';
import type { TestBerth } from '../test/support/berth.js';
import { freePort } from '../test/support/free-port.js';
import { signedDelivery } from '../test/support/bitbucket-stand-in.js';
import { postLoad, type Prepared, type PostLoadResult } from './post-load.js';
import { fmtMs, percentile, type Row } from './stats.js';
import { startBerthApi, startProcess, stop } from './webhook-intake.js';

const SECRET = `bench-secret-${randomUUID()}`;
const sha = (i: number) => i.toString(16).padStart(40, '0');
const hex = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

/** One signed push delivery of host `kind` (to a repository no app builds from). */
const DELIVERIES: Record<'gitea' | 'gitlab' | 'bitbucket', (i: number) => Prepared> = {
  gitea(i) {
    const body = JSON.stringify({ ref: 'refs/heads/main', before: sha(0), after: sha(i + 1), commits: [], repository: { full_name: 'bench/no-app' }, pusher: { login: 'bench' } });
    return { headers: { 'content-type': 'application/json', 'x-gitea-event': 'push', 'x-gitea-delivery': randomUUID(), 'x-gitea-signature': hex(body) }, body: Buffer.from(body) };
  },
  gitlab(i) {
    const body = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', before: sha(0), after: sha(i + 1), commits: [], project: { path_with_namespace: 'bench/no-app' } });
    return { headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': randomUUID(), 'x-gitlab-token': SECRET }, body: Buffer.from(body) };
  },
  bitbucket(i) {
    const change = { new: { type: 'branch', name: 'main', target: { type: 'commit', hash: sha(i + 1) } }, old: null, created: true, closed: false };
    const body = JSON.stringify({ repository: { full_name: 'bench/no-app' }, push: { changes: [change] } });
    return { headers: signedDelivery(SECRET, 'repo:push', body), body: Buffer.from(body) };
  },
};

const rate = (r: PostLoadResult) => (r.sent / r.elapsedMs) * 1000;
const describe = (r: PostLoadResult) => `${rate(r).toFixed(0)}/s, p50 ${fmtMs(percentile(r.latenciesMs, 50))}, p99 ${fmtMs(percentile(r.latenciesMs, 99))}`;

export async function gitHostIntake(berth: TestBerth, options: { unique: number; offeredRate: number }): Promise<Row[]> {
  const hosts: Record<string, string> = {};
  for (const kind of Object.keys(DELIVERIES)) {
    // The server is never called: no app builds from the repository the deliveries name.
    const res = await berth.api('POST', '/api/v1/git-hosts', { name: `bench-${kind}`, kind, baseUrl: 'http://127.0.0.1:9', accessToken: `bench-token-${randomUUID()}`, webhookSecret: SECRET });
    if (res.status !== 201) throw new Error(`git host ${kind}: ${res.status} ${JSON.stringify(res.body)}`);
    hosts[kind] = (res.body as { webhookPath: string }).webhookPath;
  }
  await berth.stopWorkers();
  await berth.dispatcher.stop();
  const worker = await berth.spawnWorker();
  const api = await startBerthApi({ ...berth.env, BERTH_API_PORT: String(await freePort()) });
  const bare = await startProcess(['bench/bare-hono.ts'], {}, /listening (http:\/\/\S+)/);
  const rows: Row[] = [];
  try {
    const berthUrl = api.match[1] as string;
    const bareUrl = bare.match[1] as string;
    for (const [kind, make] of Object.entries(DELIVERIES)) {
      const path = hosts[kind] as string;
      const warm = Array.from({ length: 500 }, (_, i) => make(1_000_000 + i));
      await postLoad({ url: `${berthUrl}${path}`, requests: warm, concurrency: 8, maxMs: 30_000 });
      await postLoad({ url: `${bareUrl}${path}`, requests: warm, concurrency: 8, maxMs: 30_000 });
      const requests = Array.from({ length: options.unique }, (_, i) => make(i));
      const hostId = path.split('/').pop() as string;
      const stored = async () => (await berth.database.db.select({ n: count() }).from(webhookDeliveries).where(like(webhookDeliveries.id, `${hostId}-%`)))[0]?.n ?? 0;
      const before = await stored();
      const baseline = await postLoad({ url: `${bareUrl}${path}`, requests, ratePerSecond: options.offeredRate, concurrency: 64, maxMs: 60_000 });
      const load = await postLoad({ url: `${berthUrl}${path}`, requests, ratePerSecond: options.offeredRate, concurrency: 64, maxMs: 60_000 });
      // Every stored delivery reaches its intake workflow before the next host's run, so one
      // host's backlog of workflow starts does not weigh on the next one's figures.
      const t0 = performance.now();
      let left = Infinity;
      while (left > 0 && performance.now() - t0 < 300_000) {
        left = (await berth.database.db.select({ n: count() }).from(webhookDeliveries).where(and(like(webhookDeliveries.id, `${hostId}-%`), isNull(webhookDeliveries.dispatchedAt))))[0]?.n ?? 0;
        if (left > 0) await new Promise((r) => setTimeout(r, 250));
      }
      const dispatchedMs = performance.now() - t0;
      // Handled too (outcome recorded) before the next host, so this host's intake work does not
      // weigh on the next one's figures.
      let unhandled = Infinity;
      while (unhandled > 0 && performance.now() - t0 < 600_000) {
        unhandled = (await berth.database.db.select({ n: count() }).from(webhookDeliveries).where(and(like(webhookDeliveries.id, `${hostId}-%`), isNull(webhookDeliveries.processedAt))))[0]?.n ?? 0;
        if (unhandled > 0) await new Promise((r) => setTimeout(r, 250));
      }
      const failed = load.errors.length + [...load.statuses].filter(([s]) => s !== 202).reduce((n, [, c]) => n + c, 0);
      const kept = (await stored()) - before;
      const p99 = percentile(load.latenciesMs, 99);
      rows.push({
        benchmark: `${kind} intake at ${options.offeredRate}/s offered (open loop, ${requests.length} signed pushes)`,
        figure: `${describe(load)}; ${kept} stored, ${failed} failed; all dispatched ${fmtMs(dispatchedMs)} after, handled ${fmtMs(performance.now() - t0)} after`,
        baseline: `bare Hono: ${describe(baseline)}`,
        ratio: `p99 ${(p99 / percentile(baseline.latenciesMs, 99)).toFixed(2)}×`,
        target: '≥ 500/s, p99 ≤ 50 ms, every delivery stored once',
        met: rate(load) >= options.offeredRate * 0.97 && p99 <= 50 && failed === 0 && kept === requests.length && left === 0 && unhandled === 0,
      });
    }
    return rows;
  } finally {
    await stop(api.child);
    await stop(bare.child);
    worker.kill('SIGTERM');
  }
}
