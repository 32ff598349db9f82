// Idle memory (`npm run bench -- memory`): the resident memory of `berth dev` (API, worker and
// PGlite in one process, as `npm start` runs it) and of `berth worker` and `berth api` as separate
// processes (PostgreSQL), each after a few deploys and a few seconds idle. Each runs from the
// built output (dist/ and its prebuilt workflow bundle: what the bin runs now) and, as the
// baseline in the same run, from the sources through tsx with the workflows bundled at start
// (what `npm start` ran before).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import postgres from 'postgres';
import { toolPaths } from '../src/process/embedded-services.js';
import { startTemporalDevServer } from '../src/services/temporal-dev-server.js';
import { startTraefik } from '../src/services/traefik.js';
import { firstAdminToken } from '../test/support/first-admin.js';
import { freePort } from '../test/support/free-port.js';
import { startPostgresCluster } from '../test/support/postgres-cluster.js';
import { BerthClient } from './berth-client.js';
import { ensureBuilt, residentMemory, runBerth, startBerthProcess, type BerthBuild } from './berth-processes.js';
import type { Row } from './stats.js';

export const MEMORY_TARGETS_MB = { dev: 300, worker: 250, api: 120 } as const;
/** Idle before the reading: timers and the garbage collector settle. */
const SETTLE_MS = 5000;
const BUILDS: BerthBuild[] = ['source', 'built'];

type Images = { a: string; b: string };
type Reading = { rss: number; peak: number };

/** `deploys` deploys of one app, alternating the two images; each must succeed. */
async function deploySome(client: BerthClient, name: string, images: Images, deploys: number): Promise<void> {
  const app = await client.createImageApp(name, { drainSeconds: 0 });
  for (let i = 0; i < deploys; i++) {
    const { deploymentId } = await client.must('POST', `${app.base}/deployments`, { image: i % 2 === 0 ? images.a : images.b });
    const done = await client.finished(deploymentId);
    if (done.status !== 'succeeded') throw new Error(`deploy ${i + 1} of ${name}: ${done.status}`);
  }
}

async function removeContainers(instance: string): Promise<void> {
  const docker = new Docker();
  for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.instance=${instance}`] } })) {
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  }
}

/** Idle memory of `berth dev` of `build`, on a new data directory, after `deploys` deploys. */
async function devMemory(build: BerthBuild, toolsDir: string, images: Images, deploys: number): Promise<Reading> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-memory-'));
  const instance = `bench-mem-dev-${build}-${process.pid}`;
  const port = () => freePort().then(String);
  const env = {
    BERTH_DATA_DIR: dataDir,
    BERTH_TOOLS_DIR: toolsDir,
    BERTH_INSTANCE: instance,
    BERTH_API_PORT: await port(),
    TEMPORAL_ADDRESS: `127.0.0.1:${await port()}`,
    BERTH_TEMPORAL_UI_PORT: await port(),
    BERTH_TRAEFIK_PORT: await port(),
    BERTH_TRAEFIK_API_PORT: await port(),
    BERTH_TRAEFIK_HTTPS_PORT: await port(),
    BERTH_STATIC_PORT: await port(),
    BERTH_LOG_FORMAT: 'json',
    BERTH_LOG_LEVEL: 'warn',
  };
  const dev = await startBerthProcess(build, 'dev', env, (output) => output.includes('Ctrl-C stops it.'));
  try {
    const apiUrl = `http://127.0.0.1:${env.BERTH_API_PORT}`;
    const client = new BerthClient(apiUrl, `http://127.0.0.1:${env.BERTH_TRAEFIK_PORT}`, await firstAdminToken(apiUrl, dataDir));
    await deploySome(client, `mem-dev-${build}`, images, deploys);
    await sleep(SETTLE_MS);
    return residentMemory(dev.child.pid as number);
  } finally {
    await dev.stop();
    await removeContainers(instance);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Idle memory of `berth worker` and `berth api` of each build on one PostgreSQL, Temporal and Traefik. */
async function splitMemory(toolsDir: string, images: Images, deploys: number): Promise<Record<BerthBuild, { worker: Reading; api: Reading }>> {
  const tools = toolPaths(toolsDir);
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-memory-'));
  const stops: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const temporal = await startTemporalDevServer({ binary: tools.temporal, port: await freePort(), uiPort: null, namespaces: BUILDS.map((b) => `bench-mem-${b}`), logFile: join(dir, 'temporal.log') });
    stops.push(() => temporal.stop());
    const pg = await startPostgresCluster();
    stops.push(() => pg.stop());
    const routesDir = join(dir, 'routes');
    const traefik = await startTraefik(tools.traefik, { dir: join(dir, 'traefik'), routesDir, entryPort: await freePort(), apiPort: await freePort(), defaultCertificate: { certFile: tools.certFile, keyFile: tools.keyFile } });
    stops.push(() => traefik.stop());
    const admin = postgres(pg.url('postgres'), { max: 1, onnotice: () => {} });
    for (const build of BUILDS) await admin.unsafe(`create database bench_mem_${build}`);
    await admin.end();

    const result = {} as Record<BerthBuild, { worker: Reading; api: Reading }>;
    for (const build of BUILDS) {
      const instance = `bench-mem-${build}-${process.pid}`;
      stops.push(() => removeContainers(instance));
      const env = {
        BERTH_DATA_DIR: join(dir, build),
        BERTH_TOOLS_DIR: toolsDir,
        BERTH_INSTANCE: instance,
        DATABASE_URL: pg.url(`bench_mem_${build}`),
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: `bench-mem-${build}`,
        BERTH_API_PORT: String(await freePort()),
        BERTH_STATIC_PORT: String(await freePort()),
        BERTH_TRAEFIK_PORT: traefik.entryUrl.split(':').pop() as string,
        BERTH_TRAEFIK_API_URL: traefik.apiUrl,
        BERTH_TRAEFIK_ENTRY_URL: traefik.entryUrl,
        BERTH_TRAEFIK_ROUTES_DIR: routesDir,
        BERTH_LOG_FORMAT: 'json',
        BERTH_LOG_LEVEL: 'info',
        BERTH_SECRET_KEY: randomBytes(32).toString('base64'),
      };
      // As an operator does: schema and search attributes, then an administrator and a token.
      runBerth(build, ['migrate'], env);
      const password = `${randomBytes(12).toString('hex')}\n`;
      runBerth(build, ['admin', 'create-user', '--email', 'bench@example.test', '--admin'], env, password);
      const token = runBerth(build, ['admin', 'create-token', '--email', 'bench@example.test', '--name', 'bench'], env, password);
      const worker = await startBerthProcess(build, 'worker', env, (output) => output.includes('workers polling'));
      stops.push(() => worker.stop());
      const apiUrl = `http://127.0.0.1:${env.BERTH_API_PORT}`;
      const api = await startBerthProcess(build, 'api', env, async () => (await fetch(`${apiUrl}/healthz`).catch(() => null))?.status === 200);
      stops.push(() => api.stop());
      await deploySome(new BerthClient(apiUrl, traefik.entryUrl, token), `mem-${build}`, images, deploys);
      await sleep(SETTLE_MS);
      result[build] = { worker: residentMemory(worker.child.pid as number), api: residentMemory(api.child.pid as number) };
      await api.stop();
      await worker.stop();
    }
    return result;
  } finally {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  }
}

function row(benchmark: string, built: Reading, source: Reading, target: number): Row {
  const mb = (r: Reading) => `${r.rss.toFixed(0)} MB RSS (peak ${r.peak.toFixed(0)} MB)`;
  return {
    benchmark,
    figure: mb(built),
    baseline: `${mb(source)} from the sources (tsx)`,
    ratio: `${(built.rss / source.rss).toFixed(2)}×`,
    target: `≤ ${target} MB`,
    met: built.rss <= target,
  };
}

export async function idleMemory(toolsDir: string, images: Images, deploys = 3): Promise<Row[]> {
  ensureBuilt();
  const dev = {} as Record<BerthBuild, Reading>;
  for (const build of BUILDS) dev[build] = await devMemory(build, toolsDir, images, deploys);
  const split = await splitMemory(toolsDir, images, deploys);
  return [
    row(`idle memory: berth dev (npm start: API, worker, PGlite), new data dir, ${deploys} deploys`, dev.built, dev.source, MEMORY_TARGETS_MB.dev),
    row(`idle memory: berth worker, ${deploys} deploys`, split.built.worker, split.source.worker, MEMORY_TARGETS_MB.worker),
    row(`idle memory: berth api, ${deploys} deploys`, split.built.api, split.source.api, MEMORY_TARGETS_MB.api),
  ];
}
