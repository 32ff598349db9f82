// Webhook intake: verified deliveries per second and p99 latency through a real `berth api`
// process (signature check, one INSERT, 202), against a bare Hono endpoint in its own process,
// same client, same bodies. A tenth of the deliveries are sent twice: each must be answered as
// a duplicate and stored once; every stored delivery must then reach its intake workflow.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { and, count, inArray, isNull } from 'drizzle-orm';
import { webhookDeliveries } from '../db/schema/index.js';
import { WORKFLOWS } from '../src/domain/workflow-contracts.js';
import { deliveryWorkflowId } from '../src/domain/workflow-ids.js';
import { startWorkflow } from '../src/temporal/workflow-starts.js';
import type { TestBerth } from '../test/support/berth.js';
import { freePort } from '../test/support/free-port.js';
import { pushPayload, sign } from '../test/support/webhooks.js';
import { postLoad, slowBySecond, type Prepared, type PostLoadResult } from './post-load.js';
import { fmtMs, percentile, type Row } from './stats.js';

const ROOT = new URL('..', import.meta.url).pathname;

export function startProcess(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return spawnUntil(process.execPath, ['--import', 'tsx', ...args], env, ready);
}

/** `berth api` as the bin runs it (scripts/berth: the built output, with its memory settings), as users get it. */
export function startBerthApi(env: Record<string, string>): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const apiEnv = { ...env, BERTH_LOG_LEVEL: 'info', BERTH_LOG_FORMAT: 'json' };
  const ready = /"url":"(http:\/\/[^"]+)"/;
  // BERTH_BENCH_CPU_PROF=<dir>: the same built API under node's sampling profiler (a .cpuprofile
  // written there when it stops; node refuses --cpu-prof in NODE_OPTIONS, so it is given here).
  const profileDir = process.env.BERTH_BENCH_CPU_PROF;
  if (profileDir) return spawnUntil(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--max-semi-space-size=2', '--heap-growing-percent=20', join(ROOT, 'dist', 'src', 'cli.js'), 'api'], apiEnv, ready);
  return spawnUntil('bash', [join(ROOT, 'scripts', 'berth'), 'api'], apiEnv, ready);
}

function spawnUntil(command: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        // From now on the output is only drained: matching a growing string at every chunk
        // would cost the measuring process time in the middle of the load.
        child.stdout?.off('data', onData).resume();
        child.stderr?.off('data', onData).resume();
        resolve({ child, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** What the requests that did not get a 202 got instead: statuses and the first errors. */
function failureDetail(r: PostLoadResult, name: string): string {
  const statuses = [...r.statuses].filter(([s]) => s !== 202).map(([s, n]) => `${n}× ${s}`);
  return `${name}: ${[...statuses, ...r.errors].join(', ') || 'none'}`;
}

/** Unique signed push deliveries, plus a tenth of them again with the same delivery id. */
function prepare(secret: string, unique: number): { requests: Prepared[]; duplicates: number } {
  const requests: Prepared[] = [];
  for (let i = 0; i < unique; i++) {
    const payload = pushPayload({ repository: 'bench-org/no-app', branch: 'main', sha: i.toString(16).padStart(40, '0'), installationId: 1 });
    const body = Buffer.from(JSON.stringify(payload));
    requests.push({
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': sign(secret, body) },
      body,
    });
  }
  const duplicates = Math.floor(unique / 10);
  for (let i = 0; i < duplicates; i++) requests.push(requests[i * 10] as Prepared);
  // Duplicates spread through the run, not all at the end.
  for (let i = requests.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [requests[i], requests[j]] = [requests[j] as Prepared, requests[i] as Prepared];
  }
  return { requests, duplicates };
}

/**
 * Intake as it was: one workflow start (receiveDelivery, still registered) per stored delivery,
 * 8 in flight as the old dispatcher had them. Rows marked dispatched, so the dispatcher leaves
 * them; waits until the workflows have run, so they weigh on nothing measured after.
 */
async function perDeliveryStarts(berth: TestBerth, n: number): Promise<{ n: number; rate: number }> {
  const payload = JSON.stringify(pushPayload({ repository: 'bench-org/no-app', branch: 'main', sha: '0'.repeat(40), installationId: 1 }));
  const ids = Array.from({ length: n }, () => `bench-baseline-${randomUUID()}`);
  for (let i = 0; i < n; i += 500) {
    await berth.database.db.insert(webhookDeliveries).values(ids.slice(i, i + 500).map((id) => ({ id, event: 'push', repository: 'bench-org/no-app', ref: 'refs/heads/main', payload, dispatchedAt: new Date() })));
  }
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const deliveryId = ids[next++] as string;
      await startWorkflow(berth.temporal, WORKFLOWS.receiveDelivery, { workflowId: deliveryWorkflowId(deliveryId), args: [{ deliveryId }] });
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  const rate = (n / (performance.now() - t0)) * 1000;
  const t1 = performance.now();
  while (performance.now() - t1 < 300_000) {
    const open = (await berth.database.db.select({ n: count() }).from(webhookDeliveries).where(and(inArray(webhookDeliveries.id, ids), isNull(webhookDeliveries.processedAt))))[0]?.n ?? 0;
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return { n, rate };
}

const rate = (r: PostLoadResult) => (r.sent / r.elapsedMs) * 1000;
const describe = (r: PostLoadResult) => `${rate(r).toFixed(0)}/s, p50 ${fmtMs(percentile(r.latenciesMs, 50))}, p99 ${fmtMs(percentile(r.latenciesMs, 99))}`;

export async function webhookIntake(berth: TestBerth, secret: string, options: { unique: number; offeredRate: number; concurrency: number; baselineSample: number }): Promise<Row[]> {
  // This process only sends: the workers (which run the intake workflows) and the API each get
  // a process of their own, as in production, so no event loop is shared with the client.
  await berth.stopWorkers();
  await berth.dispatcher.stop();
  const worker = await berth.spawnWorker();
  // Readiness is its "api listening" info line (requests log at debug only).
  const api = await startBerthApi({ ...berth.env, BERTH_API_PORT: String(await freePort()) });
  const bare = await startProcess([join('bench', 'bare-hono.ts')], {}, /listening (http:\/\/\S+)/);
  try {
    const berthUrl = api.match[1] as string;
    const bareUrl = `${bare.match[1]}/webhooks/github`;
    const warm = prepare(secret, 1000);
    await postLoad({ url: `${berthUrl}/webhooks/github`, requests: warm.requests, concurrency: 8, maxMs: 30_000 });
    await postLoad({ url: bareUrl, requests: warm.requests, concurrency: 8, maxMs: 30_000 });

    const before = (await berth.database.db.select({ n: count() }).from(webhookDeliveries))[0]?.n ?? 0;
    // Open loop at the offered rate: latency when Berth keeps up. Closed loop: the most it
    // takes. The baselines go first, so Berth's intake workflows (still running after its
    // load) do not weigh on them.
    const open = prepare(secret, options.unique);
    const closed = prepare(secret, options.unique);
    const openBare = await postLoad({ url: bareUrl, requests: open.requests, ratePerSecond: options.offeredRate, concurrency: 64, maxMs: 60_000 });
    const maxBare = await postLoad({ url: bareUrl, requests: closed.requests, concurrency: options.concurrency, maxMs: 60_000 });
    const openBerth = await postLoad({ url: `${berthUrl}/webhooks/github`, requests: open.requests, ratePerSecond: options.offeredRate, concurrency: 64, maxMs: 60_000 });
    const maxBerth = await postLoad({ url: `${berthUrl}/webhooks/github`, requests: closed.requests, concurrency: options.concurrency, maxMs: 60_000 });

    process.stdout.write(`  requests over 50 ms by second of the 500/s load — Berth: ${slowBySecond(openBerth, 50)}; bare Hono: ${slowBySecond(openBare, 50)}\n`);
    const stored = ((await berth.database.db.select({ n: count() }).from(webhookDeliveries))[0]?.n ?? 0) - before;
    const unique = 2 * options.unique;
    const duplicatesAnswered = (openBerth.answers.get('duplicate') ?? 0) + (maxBerth.answers.get('duplicate') ?? 0);
    const failed = [openBerth, maxBerth].reduce((n, r) => n + r.errors.length + [...r.statuses].filter(([s]) => s !== 202).reduce((m, [, c]) => m + c, 0), 0);
    if (failed > 0) process.stdout.write(`  failed requests — ${failureDetail(openBerth, 'open loop')}; ${failureDetail(maxBerth, 'closed loop')}\n`);
    // Every stored delivery reaches its intake workflow (the dispatcher works through them).
    const t0 = performance.now();
    let left = Infinity;
    while (left > 0 && performance.now() - t0 < 300_000) {
      left = (await berth.database.db.select({ n: count() }).from(webhookDeliveries).where(isNull(webhookDeliveries.dispatchedAt)))[0]?.n ?? 0;
      if (left > 0) await new Promise((r) => setTimeout(r, 250));
    }
    const drainMs = performance.now() - t0;
    // Handed over is not yet handled: how long until every one has its outcome recorded too.
    let unhandled = Infinity;
    while (unhandled > 0 && performance.now() - t0 < 600_000) {
      unhandled = (await berth.database.db.select({ n: count() }).from(webhookDeliveries).where(isNull(webhookDeliveries.processedAt)))[0]?.n ?? 0;
      if (unhandled > 0) await new Promise((r) => setTimeout(r, 250));
    }
    const handledMs = performance.now() - t0;
    // The baseline of the hand-over: a workflow start per delivery, as intake worked before,
    // measured here on a sample after Berth's own figures are taken.
    const perDelivery = await perDeliveryStarts(berth, options.baselineSample);

    const p99 = percentile(openBerth.latenciesMs, 99);
    return [
      {
        benchmark: `webhook intake at ${options.offeredRate}/s offered (open loop, ${open.requests.length} signed pushes, ${open.duplicates} redelivered)`,
        figure: describe(openBerth),
        baseline: `bare Hono: ${describe(openBare)}`,
        ratio: `p99 ${(p99 / percentile(openBare.latenciesMs, 99)).toFixed(2)}×`,
        target: '≥ 500/s, p99 ≤ 50 ms',
        met: rate(openBerth) >= 500 * 0.97 && p99 <= 50 && failed === 0,
      },
      {
        benchmark: `webhook intake, most it takes (${options.concurrency} connections, ${closed.requests.length} pushes)`,
        figure: describe(maxBerth),
        baseline: `bare Hono: ${describe(maxBare)}`,
        ratio: `${(rate(maxBerth) / rate(maxBare)).toFixed(2)}× of bare`,
        target: '≥ 500/s',
        met: rate(maxBerth) >= 500 && failed === 0,
      },
      {
        benchmark: `webhook intake: every stored delivery handed to its workflow after a ${unique}-delivery burst`,
        figure: `${fmtMs(drainMs)} after the burst (${left} left); all handled (outcome recorded) ${fmtMs(handledMs)} after`,
        baseline: `a workflow start per delivery (before): ${perDelivery.rate.toFixed(0)} starts/s on ${perDelivery.n} → ${fmtMs((unique / perDelivery.rate) * 1000)} for ${unique}`,
        ratio: `${(drainMs / ((unique / perDelivery.rate) * 1000)).toFixed(3)}×`,
        target: '≤ 10 s after the burst',
        met: left === 0 && drainMs <= 10_000,
      },
      {
        benchmark: 'webhook intake: duplicates dropped, nothing lost',
        figure: `${stored} stored of ${unique} unique; ${duplicatesAnswered}/${open.duplicates + closed.duplicates} duplicates answered as such; ${failed} failed`,
        baseline: '-',
        ratio: '-',
        target: 'stored = unique, every one handled',
        met: stored === unique && duplicatesAnswered === open.duplicates + closed.duplicates && failed === 0 && left === 0 && unhandled === 0,
      },
    ];
  } finally {
    await stop(api.child);
    await stop(bare.child);
    worker.kill('SIGTERM');
  }
}
