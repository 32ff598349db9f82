// What observability costs. A /metrics scrape with 10,000 deployments (and their phases) in
// the database, served over HTTP by an API on the default refresh (figures cached, refreshed
// in the background) — against the same scrape computing every figure fresh (the baseline:
// what a scrape cost when it scanned the tables). Target: ≤ 50 ms at p95. And the worker's
// sample of 50 running containers (stats and state from the Docker engine): the worker's own
// CPU time per sample, as a share of one core at the default sampling interval. Target ≤ 5 %.
// The Docker engine's own work for the sample is not in that figure; it is printed beside it.
import { execFileSync } from 'node:child_process';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../api/app.js';
import { deploymentPhases, deployments } from '../db/schema/index.js';
import { readStateFigures } from '../db/queries/state-figures.js';
import { environmentNames } from '../db/queries/environment-names.js';
import { LABEL, MANAGED_BY } from '../src/domain/labels.js';
import { newId } from '../src/ids.js';
import { createLogger } from '../src/logger.js';
import { createContainerSampler } from '../src/metrics/container-sampler.js';
import { apiDeps } from '../src/process/api-server.js';
import type { TestBerth } from '../test/support/berth.js';
import { fmtMs, percentile, type Row } from './stats.js';

const SCRAPE_TARGET_MS = 50;
const SAMPLE_TARGET_SHARE = 0.05;
const DEFAULT_SAMPLE_SECONDS = 15;

async function listen(fetch: (r: Request) => Response | Promise<Response>): Promise<{ url: string; server: ServerType }> {
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

async function seedDeployments(berth: TestBerth, count: number): Promise<void> {
  const project = await berth.api('POST', '/api/v1/projects', { name: 'metrics-bench' });
  if (project.status !== 201) throw new Error(`project: ${project.status}`);
  const app = (await berth.api('POST', '/api/v1/apps', { project: 'metrics-bench', name: 'metrics-bench', image: 'berth-local/hello:v1' })).body;
  const env = (await berth.api('POST', '/api/v1/apps/metrics-bench/environments', { name: 'prod' })).body;
  const outcomes = ['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled', 'superseded'] as const;
  const base = Date.now() - count * 60_000;
  for (let i = 0; i < count; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - i) }, (_, j) => {
      const n = i + j;
      const created = new Date(base + n * 60_000);
      return {
        id: newId('dep'),
        appId: app.id,
        environmentId: env.id,
        kind: n % 10 === 0 ? ('rollback' as const) : ('deploy' as const),
        trigger: 'bench',
        request: {},
        status: outcomes[n % outcomes.length] as (typeof outcomes)[number],
        workflowId: `bench-${n}`,
        createdAt: created,
        startedAt: created,
        finishedAt: new Date(created.getTime() + 5000),
      };
    });
    await berth.database.db.insert(deployments).values(rows);
    const phases = rows.flatMap((d, j) =>
      (['pull', 'health', 'route'] as const).map((phase, k) => ({
        deploymentId: d.id,
        phase: phase === 'pull' ? ('resolve' as const) : phase,
        startedAt: new Date(d.createdAt.getTime() + k * 1000),
        endedAt: new Date(d.createdAt.getTime() + k * 1000 + ((j * 37 + k * 101) % 3000)),
        outcome: 'succeeded' as const,
      })),
    );
    await berth.database.db.insert(deploymentPhases).values(phases);
  }
}

async function timed(url: string, token: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await res.text();
  if (!res.ok) throw new Error(`${url} → ${res.status}`);
  return performance.now() - started;
}

async function scrapeTimes(url: string, token: string, rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push(await timed(`${url}/metrics`, token));
  return times;
}

export async function metricsScrape(berth: TestBerth, deploymentCount: number, rounds: number): Promise<Row[]> {
  await seedDeployments(berth, deploymentCount);
  const log = createLogger({ level: 'silent', format: 'json' });
  const deps = (refreshMs: number) => apiDeps({ config: { ...berth.config, metrics: { ...berth.config.metrics, refreshMs } }, database: berth.database, temporal: berth.temporal, log });
  const cached = await listen(createApp(deps(10_000)).fetch);
  const fresh = await listen(createApp(deps(0)).fetch);
  try {
    await scrapeTimes(cached.url, berth.token, 3); // the first scrape fills the cache
    // Scrapes alternate with the smallest authenticated read (one user), so both see the same
    // machine: the difference is what the scrape itself costs.
    const served: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < rounds; i++) {
      served.push(await timed(`${cached.url}/metrics`, berth.token));
      plain.push(await timed(`${cached.url}/api/v1/users/${berth.admin.id}`, berth.token));
    }
    const computed = await scrapeTimes(fresh.url, berth.token, Math.min(rounds, 50));
    const queryStarted = performance.now();
    await readStateFigures(berth.database.db);
    const refreshMs = performance.now() - queryStarted;
    const p95 = percentile(served, 95);
    return [
      {
        benchmark: `metrics scrape, ${deploymentCount} deployments (p50 / p95)`,
        figure: `${percentile(served, 50).toFixed(1)} / ${p95.toFixed(1)} ms`,
        baseline: `${percentile(plain, 50).toFixed(1)} / ${percentile(plain, 95).toFixed(1)} ms GET /users/{id}`,
        ratio: (percentile(served, 50) / percentile(plain, 50)).toFixed(1),
        target: `p95 ≤ ${SCRAPE_TARGET_MS} ms`,
        met: p95 <= SCRAPE_TARGET_MS,
      },
      {
        benchmark: `metrics scrape computed fresh, ${deploymentCount} deployments (p50 / p95)`,
        figure: `${percentile(computed, 50).toFixed(1)} / ${percentile(computed, 95).toFixed(1)} ms`,
        baseline: 'what every scrape cost before the cache',
        ratio: '-',
        target: '-',
        met: null,
      },
      { benchmark: 'metrics background refresh (all aggregates)', figure: fmtMs(refreshMs), baseline: '-', ratio: '-', target: 'off the scrape path', met: null },
    ];
  } finally {
    for (const s of [cached.server, fresh.server]) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

const DOCKER = '/usr/bin/docker';

export async function containerSampling(berth: TestBerth, containers: number, samples: number): Promise<Row[]> {
  const names = Array.from({ length: containers }, (_, i) => `berth-bench-sample-${berth.config.instance}-${i}`);
  // Reconcile would remove containers of no known environment as orphans: no workers meanwhile.
  await berth.stopWorkers();
  const labels = [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.instance}=${berth.config.instance}`, `${LABEL.environment}=env_bench`, `${LABEL.app}=app_bench`];
  try {
    for (const [i, name] of names.entries()) {
      execFileSync(DOCKER, ['run', '-d', '--name', name, ...labels.flatMap((l) => ['--label', l]), '--label', `${LABEL.replica}=${i}`, 'berth-local/busybox:1', 'sleep', '3600'], { stdio: 'pipe' });
    }
    const sampler = createContainerSampler({ docker: berth.docker, names: (ids) => environmentNames(berth.database.db, ids), instance: berth.config.instance, log: createLogger({ level: 'silent', format: 'json' }) });
    await sampler.sample();
    if (sampler.figures().length !== containers) throw new Error(`sampled ${sampler.figures().length} of ${containers}`);
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await sampler.sample();
      wall.push(performance.now() - started);
      cpu.push(sampler.lastSampleCpuSeconds());
    }
    const perSample = percentile(cpu, 50);
    const share = perSample / DEFAULT_SAMPLE_SECONDS;
    return [
      {
        benchmark: `container sample, ${containers} containers (worker CPU per sample)`,
        figure: `${(perSample * 1000).toFixed(0)} ms CPU = ${(share * 100).toFixed(2)} % of a core every ${DEFAULT_SAMPLE_SECONDS} s`,
        baseline: `${fmtMs(percentile(wall, 50))} wall per sample`,
        ratio: '-',
        target: `≤ ${SAMPLE_TARGET_SHARE * 100} % of a core`,
        met: share <= SAMPLE_TARGET_SHARE,
      },
    ];
  } finally {
    try {
      execFileSync(DOCKER, ['rm', '-f', ...names], { stdio: 'pipe' });
    } catch {
      // some were never made
    }
    await berth.startWorkers();
  }
}
