// Crash resume: the worker process (`berth worker`) is killed with SIGKILL in the middle of each
// phase in turn and started again; every deploy still finishes correctly, with no duplicate or
// leaked container. Then the API process is killed mid-deploy, which changes nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { deployments } from '../../db/schema/index.js';
import type { PhaseName } from '../../src/domain/phases.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, pushImage, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { runningPhase } from '../support/running-phase.js';

const ROOT = new URL('../..', import.meta.url).pathname;
/**
 * How long after a phase starts the worker dies: the slow phases are hit well inside; the rest
 * at once (resolve, a pull of one small layer from the local registry, can be over in ~50 ms).
 */
const KILL_AFTER_MS: Partial<Record<PhaseName, number>> = { health: 600, drain: 400, retire: 300 };
const TARGETS: PhaseName[] = ['resolve', 'create', 'start', 'health', 'route', 'drain', 'retire', 'prune'];

let berth: TestBerth;
let fx: AppFixture;
let worker: ChildProcess | null = null;
let registryTag: string;
const tags = ['berth-test/crash:a', 'berth-test/crash:b'];

beforeAll(async () => {
  // Slow to become healthy and slow to stop, so health and retire last long enough to die in.
  buildHello(tags[0] as string, { version: 'a', startDelay: 1.5, stopDelay: 1 });
  buildHello(tags[1] as string, { version: 'b', startDelay: 1.5, stopDelay: 1 });
  registryTag = `${inject('services').registryHost}/crash/pulled:1`;
  buildHello(registryTag, { version: 'pulled', startDelay: 1.5, stopDelay: 1 });
  pushImage(registryTag);
  berth = await startBerth({ workers: false });
  // A prebuilt bundle: each restarted worker polls within a second instead of re-bundling.
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
  const bundle = join(berth.config.dataDir, 'workflow-bundle.js');
  writeFileSync(bundle, code);
  berth.env.BERTH_WORKFLOW_BUNDLE = bundle;
  fx = await createImageApp(berth, {
    app: 'crash',
    replicas: 2,
    healthCheck: { intervalMs: 100, startPeriodMs: 5000 },
    environment: { drainSeconds: 1, retention: 2 },
  });
  worker = await berth.spawnWorker();
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await berth?.close();
  removeImages(...tags, registryTag);
});

test('a worker killed in each phase in turn: every deploy finishes, nothing duplicated or leaked', async () => {
  const hits: { target: PhaseName; killedIn: PhaseName | null; recoveredMs: number }[] = [];
  let round = 0;
  for (const target of TARGETS) {
    const image = target === 'resolve' ? registryTag : (tags[round % 2] as string);
    if (target === 'resolve') removeImages(registryTag); // so resolving must pull
    const expected = target === 'resolve' ? 'pulled' : round % 2 === 0 ? 'a' : 'b';
    round++;

    const id = await deploy(berth, fx, image);
    await waitFor(`phase ${target} of ${id}`, async () => (await runningPhase(berth, id)) === target, 60_000, 2);
    await sleep(KILL_AFTER_MS[target] ?? 0);
    worker?.kill('SIGKILL');
    const killedAt = Date.now();
    const killedIn = await runningPhase(berth, id);
    worker = await berth.spawnWorker();

    const d = await waitForDeployment(berth, id, 90_000);
    hits.push({ target, killedIn, recoveredMs: Date.parse(d.finishedAt) - killedAt });
    expect(d.status, `${target}: ${d.message}`).toBe('succeeded');
    expect((await throughTraefik(fx.host)).body.trim(), target).toBe(expected);

    // Exactly the live release's replicas run, once each; every container is accounted for.
    const containers = await berth.containers(fx.environmentId);
    const running = containers.filter((c) => c.State === 'running');
    expect(running.map((c) => c.Labels['berth.deployment']).sort(), target).toEqual([id, id]);
    expect(new Set(running.map((c) => c.Labels['berth.replica'])).size).toBe(2);
    const perDeployment = new Map<string, number>();
    for (const c of containers) perDeployment.set(c.Labels['berth.deployment'] as string, (perDeployment.get(c.Labels['berth.deployment'] as string) ?? 0) + 1);
    for (const [deployment, count] of perDeployment) {
      expect(count, `containers of ${deployment}`).toBe(2);
      const [row] = await berth.database.db.select().from(deployments).where(eq(deployments.id, deployment));
      expect(row?.status).toBe('succeeded');
    }
    // Retention 2: the live release and one more keep containers.
    expect(perDeployment.size).toBeLessThanOrEqual(2);
  }
  process.stdout.write(`crash-resume: kill → deployment finished (ms): ${hits.map((h) => `${h.target} ${h.recoveredMs}`).join(', ')}\n`);
  // Every kill landed while the deployment was still running, in the targeted phase.
  for (const h of hits) expect(h.killedIn, `kill aimed at ${h.target}`).toBe(h.target);
}, 600_000);

test('the API process restarting mid-deploy changes nothing', async () => {
  const port = Number(berth.env.BERTH_API_PORT);
  const startApi = async () => {
    const api = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'api'], {
      cwd: ROOT,
      env: { ...process.env, ...berth.env },
      stdio: 'ignore',
    });
    await waitFor('the API', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, 100);
    return api;
  };
  let api = await startApi();
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/apps/crash/environments/prod/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${berth.token}` },
    body: JSON.stringify({ image: tags[0] }),
  });
  expect(res.status).toBe(202);
  const { deploymentId } = (await res.json()) as { deploymentId: string };
  await waitFor('health phase', async () => (await runningPhase(berth, deploymentId)) === 'health', 30_000, 5);
  api.kill('SIGKILL');
  api = await startApi();
  try {
    const d = await waitForDeployment(berth, deploymentId);
    expect(d.status).toBe('succeeded');
    const viaApi = (await (await fetch(`http://127.0.0.1:${port}/api/v1/deployments/${deploymentId}`, { headers: { authorization: `Bearer ${berth.token}` } })).json()) as { status: string };
    expect(viaApi.status).toBe('succeeded');
    expect((await throughTraefik(fx.host)).body.trim()).toBe('a');
  } finally {
    api.kill('SIGKILL');
  }
});
