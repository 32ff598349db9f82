// Deploys that survive a restart of the Docker engine, on a dockerd of the test's own (never the
// machine's) and a Traefik of its own. Each restart lands at a chosen point of a deploy:
// - create, start: Berth talks to the daemon through a pass-through socket that holds one request
//   (the create of the deployment's second container; the start of its first). While the step
//   waits on it the daemon restarts and the request's connection is cut, as a shutdown does.
// - the switch: the moment the new route file is written, Traefik is paused; the daemon stops
//   (every container with it), Traefik resumes and finds none of the new servers, and the daemon
//   comes back with the containers on ports of its choosing.
// - the post-switch watch: the daemon restarts while the new release is watched; its replicas
//   stop answering, and so does the previous release's: the watch's verdict is dropped, not
//   turned into a rollback, and the release stays live.
// Each time the deploy waits for the engine, carries on from what the engine kept and ends
// succeeded, with one container per replica (none made twice) and the new version answering
// through Traefik. The deploy workflows' histories then replay against the current code.
import { readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LABEL } from '../../src/domain/labels.js';
import { routeFileName } from '../../src/domain/route.js';
import { deployWorkflowId } from '../../src/domain/workflow-ids.js';
import { probeHttp } from '../../src/http-probe.js';
import type { TraefikProcess } from '../../src/services/traefik.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import type { TestBerth } from '../support/berth.js';
import type { DockerDaemon } from '../support/docker-daemon.js';
import type { DockerSocketProxy } from '../support/docker-socket-proxy.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello } from '../support/images.js';
import { startOnOwnEngine, type OwnEngine } from '../support/own-engine.js';
import { waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/restart:v1', v2: 'berth-test/restart:v2', v3: 'berth-test/restart:v3', v4: 'berth-test/restart:v4', v5: 'berth-test/restart:v5' };
const REPLICAS = 3;
let engine: OwnEngine;
let daemon: DockerDaemon;
let proxy: DockerSocketProxy;
let traefik: TraefikProcess;
let routesDir: string;
let berth: TestBerth;
let fx: AppFixture;
const deployments: string[] = [];

beforeAll(async () => {
  // A real app's stop takes a moment: the daemon's shutdown waits for it.
  for (const [name, tag] of Object.entries(tags)) buildHello(tag, { version: name, stopDelay: 0.3 });
  engine = await startOnOwnEngine({ name: `rs${process.pid % 10_000}`, images: Object.values(tags), proxy: true });
  ({ daemon, traefik, routesDir, berth } = engine);
  proxy = engine.proxy as DockerSocketProxy;
  // Checks may take 3 s: beside a full suite on two cores a replica once missed three 1 s checks
  // in a row on this Docker daemon of the test's own, and the first deploy failed.
  fx = await createImageApp(berth, { app: 'restart', replicas: REPLICAS, healthCheck: { intervalMs: 100, startPeriodMs: 5000, timeoutMs: 3000 } });
  const first = await waitForDeployment(berth, await deploy(berth, fx, tags.v1));
  expect(first.status, `${first.message}\n${daemon.network()}`).toBe('succeeded');
  deployments.push(first.id);
}, 300_000);

afterAll(async () => {
  await engine?.close();
});

/** The requests the engine goes away at: the create of a second container, the start of a first. */
const HOLD = {
  create: { match: /^POST \/v[\d.]+\/containers\/create\?name=berth-dep_/, nth: 2 },
  start: { match: /^POST \/v[\d.]+\/containers\/[0-9a-f]+\/start/, nth: 1 },
};

async function logOf(id: string) {
  return (await berth.api('GET', `/api/v1/deployments/${id}/logs`)).body.items as { phase: string | null; message: string }[];
}

/** The deployment finished with one running container per replica, and its version answers. */
async function expectFinished(id: string, version: string): Promise<void> {
  const d = await waitForDeployment(berth, id, 180_000);
  expect(d.status, d.message).toBe('succeeded');
  const mine = (await berth.containers(fx.environmentId)).filter((c) => c.Labels[LABEL.deployment] === id);
  expect(mine.map((c) => c.Labels[LABEL.replica]).sort()).toEqual(Array.from({ length: REPLICAS }, (_, i) => String(i)));
  expect(mine.every((c) => c.State === 'running')).toBe(true);
  const res = await probeHttp(`${traefik.entryUrl}/`, { host: fx.host, timeoutMs: 3000, expectedStatus: 200 });
  expect(res.body.trim()).toBe(version);
}

test.each([
  ['create', tags.v2, 'v2'],
  ['start', tags.v3, 'v3'],
] as const)('the Docker daemon restarts during %s: the deploy waits for it and finishes', async (phase, image, version) => {
  const held = proxy.holdNext(HOLD[phase].match, HOLD[phase].nth);
  const id = await deploy(berth, fx, image);
  deployments.push(id);
  const request = await Promise.race([held, sleep(60_000).then(() => Promise.reject(new Error(`the deploy sent no request like ${HOLD[phase].match}`)))]);
  await daemon.restart(() => request.drop());
  await expectFinished(id, version);

  // The engine went away while the deploy was in that very phase, and the step ran again.
  const log = await logOf(id);
  const away = log.filter((l) => l.message.startsWith('the Docker engine went away'));
  expect(away.map((l) => l.phase), JSON.stringify(log)).toContain(phase);
  expect(log.some((l) => l.message.startsWith('the Docker engine answers again'))).toBe(true);
}, 300_000);

test('the Docker daemon restarts during the switch: the deploy switches to where the replicas answer now', async () => {
  const group = traefik.process.process.pid as number; // the watchdog leads Traefik's process group
  const file = routeFileName(berth.config.instance, fx.environmentId);
  const live = deployments.at(-1) as string;
  let restarted: Promise<void> | null = null;
  const watcher = watch(routesDir, (_event, name) => {
    if (restarted || name !== file) return;
    let text = '';
    try {
      text = readFileSync(join(routesDir, file), 'utf8');
    } catch {
      return; // between the write and the rename
    }
    if (text.includes(live)) return;
    // The new route is in place: hold Traefik until the daemon has stopped every container.
    process.kill(-group, 'SIGSTOP');
    restarted = daemon.restart(() => process.kill(-group, 'SIGCONT'));
  });
  try {
    const id = await deploy(berth, fx, tags.v4);
    deployments.push(id);
    await expectFinished(id, 'v4');
    expect(restarted, 'the route was switched').not.toBeNull();
    await restarted;
    // The failed switch asked the host where the replicas answer now, and switched again.
    const log = await logOf(id);
    expect(log.some((l) => l.phase === 'route' && l.message.startsWith('the switch reached no replica')), JSON.stringify(log)).toBe(true);
  } finally {
    watcher.close();
    process.kill(-group, 'SIGCONT');
  }
}, 300_000);

test('the Docker daemon restarts during the post-switch watch: no verdict on the release, which stays live', async () => {
  expect((await berth.api('PATCH', fx.base, { watch: { seconds: 20, failedProbes: 3 } })).status).toBe(200);
  try {
    const id = await deploy(berth, fx, tags.v5);
    deployments.push(id);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const d = (await berth.api('GET', `/api/v1/deployments/${id}`)).body as { phases: { phase: string; outcome: string }[] };
      if (d.phases.some((p) => p.phase === 'watch' && p.outcome === 'running')) break;
      if (Date.now() > deadline) throw new Error(`the deploy never reached its watch: ${JSON.stringify(d.phases)}`);
      await sleep(100);
    }
    await daemon.restart();
    const d = await waitForDeployment(berth, id, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    const watch = (d.phases as { phase: string; outcome: string; message: string | null }[]).find((p) => p.phase === 'watch');
    expect(watch?.outcome, watch?.message ?? '').toBe('skipped');
    expect(watch?.message).toMatch(/^no verdict: the Docker engine restarted 3 of the release's 3 container\(s\)/);
    expect((await berth.api('GET', fx.base)).body.liveReleaseId).toBe(d.releaseId);
    const mine = (await berth.containers(fx.environmentId)).filter((c) => c.Labels[LABEL.deployment] === id);
    expect(mine.filter((c) => c.State === 'running')).toHaveLength(REPLICAS);
    // The engine started them on ports of its choosing: the deployment pointed the route there.
    expect(watch?.message).toMatch(/the route follows its 3 replica\(s\) to where they answer now/);
    const res = await probeHttp(`${traefik.entryUrl}/`, { host: fx.host, timeoutMs: 3000, expectedStatus: 200 });
    expect(res.body.trim()).toBe('v5');
  } finally {
    expect((await berth.api('PATCH', fx.base, { watch: null })).status).toBe(200);
  }
}, 300_000);

test("these deploys' histories replay against the current code", async () => {
  const histories = [];
  for (const id of deployments) {
    const workflowId = deployWorkflowId(id);
    histories.push({ workflowId, history: await berth.temporal.workflow.getHandle(workflowId).fetchHistory() });
  }
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: berth.dataConverter, replayName: 'berth-restart-replay' }, histories)) {
    expect(result.error ? String(result.error) : null, result.workflowId).toBe(null);
  }
}, 120_000);
