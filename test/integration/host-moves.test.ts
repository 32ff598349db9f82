// Moving deployed environments between real hosts: the machine's Docker daemon (the default
// host) and a second daemon in a network namespace of its own with its own `berth worker --host
// h2` (test/support/second-docker-host.ts). A move is a deployment of the live release on the
// new host through the environment's lane: under steady load through Traefik it drops nothing,
// and nothing of the environment stays on the old host. Draining h2 moves both environments on
// it back, one after another. h2's dockerd stopped in the middle of a deploy there: the deploy
// waits for the engine and finishes.
import type { ChildProcess } from 'node:child_process';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { startSecondDockerHost, type SecondDockerHost } from '../support/second-docker-host.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { runningPhase } from '../support/running-phase.js';

const tags = { v1: 'berth-test/moved:v1', v2: 'berth-test/moved:v2', v3: 'berth-test/moved:v3' };
/** Built on the machine's daemon only: h2 can neither find nor pull it. */
const localOnly = 'berth-test/moved:local';
let berth: TestBerth;
let h2: SecondDockerHost;
let worker: ChildProcess | null = null;
let mover: AppFixture;
let second: AppFixture;

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1', stopDelay: 1 });
  buildHello(tags.v2, { version: 'v2' });
  buildHello(tags.v3, { version: 'v3', startDelay: 5 });
  buildHello(localOnly, { version: 'local' });
  h2 = await startSecondDockerHost();
  h2.load(...Object.values(tags));
  berth = await startBerth();
  expect((await berth.api('POST', '/api/v1/hosts', { id: 'h2', address: h2.address })).status).toBe(201);
  worker = await berth.spawnWorker({ DOCKER_SOCKET: h2.socket, BERTH_HOST_ADDRESS: h2.address, BERTH_HOST_HEARTBEAT_SECONDS: '1' }, ['--host', 'h2']);
  await waitFor('h2 alive', async () => (await berth.api('GET', '/api/v1/hosts/h2')).body.alive === true, 30_000);
}, 180_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  try {
    await berth?.close();
  } finally {
    await h2?.stop();
    removeImages(...Object.values(tags), localOnly);
  }
}, 120_000);

const body = async (fx: AppFixture) => (await throughTraefik(fx.host)).body.trim();
const onH2 = (environmentId: string) => h2.environmentContainers(environmentId);

test('a move is refused with nothing changed: nothing live, unknown host, the host it is on', async () => {
  mover = await createImageApp(berth, { app: 'mover', healthCheck: { intervalMs: 100, startPeriodMs: 3000 }, environment: { drainSeconds: 1 } });
  const notLive = await berth.api('POST', `${mover.base}/move`, { hostId: 'h2' });
  expect(notLive.status).toBe(409);
  expect(notLive.body.error.message).toMatch(/no live release/);
  const d = await waitForDeployment(berth, await deploy(berth, mover, tags.v1), 90_000);
  expect(d.status, d.message).toBe('succeeded');
  const unknown = await berth.api('POST', `${mover.base}/move`, { hostId: 'nowhere' });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.issues).toEqual([{ path: 'hostId', message: 'no such host' }]);
  expect((await berth.api('POST', `${mover.base}/move`, { hostId: 'Bad_Id' })).status).toBe(400);
  expect((await berth.api('POST', `${mover.base}/move`, {})).status).toBe(400);
  expect((await berth.api('POST', `${mover.base}/move`, { hostId: null })).status).toBe(409);
  // PATCH hostId of a deployed environment points at the move.
  const patched = await berth.api('PATCH', mover.base, { hostId: 'h2' });
  expect(patched.status).toBe(409);
  expect(patched.body.error.message).toMatch(/move/);
  expect((await berth.api('GET', mover.base)).body).toMatchObject({ hostId: null, placement: berth.config.hostId });
  expect((await berth.api('GET', `${mover.base}/deployments`)).body.items).toHaveLength(1);
  expect(onH2(mover.environmentId)).toEqual([]);
});

test('moving a deployed environment to h2 under steady load drops no request and leaves nothing on the old host', async () => {
  const load = startLoad({ url: inject('services').traefik.entryUrl, host: mover.host, ratePerSecond: 50, maxRequests: 4000, maxMs: 90_000, acceptBodies: ['v1'] });
  const asked = await berth.api('POST', `${mover.base}/move`, { hostId: 'h2' });
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  const d = await waitForDeployment(berth, asked.body.deploymentId, 120_000);
  await new Promise((r) => setTimeout(r, 500));
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(d).toMatchObject({ trigger: 'move', kind: 'rollback' });
  expect(result.failures).toEqual([]);
  expect(result.failed).toBe(0);
  expect(result.sent).toBeGreaterThan(50);
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  console.log(`host-moves: move to h2 under load: ${result.sent} requests, ${result.failed} failed, p95 ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(1)} ms; move ${Date.parse(d.finishedAt) - Date.parse(d.createdAt)} ms`);
  expect((await berth.api('GET', mover.base)).body).toMatchObject({ hostId: 'h2', placement: 'h2' });
  expect(onH2(mover.environmentId)).toEqual([`${asked.body.deploymentId} running`]);
  expect(await berth.containers(mover.environmentId)).toEqual([]);
  expect(await body(mover)).toBe('v1');
});

test('draining h2 moves both its environments to the default host, one after another; nothing stays on h2', async () => {
  second = await createImageApp(berth, { app: 'second', healthCheck: { intervalMs: 100, startPeriodMs: 3000 }, environment: { hostId: 'h2', drainSeconds: 1 } });
  const d = await waitForDeployment(berth, await deploy(berth, second, tags.v2), 90_000);
  expect(d.status, d.message).toBe('succeeded');
  expect(onH2(second.environmentId)).toHaveLength(1);
  // Bad targets: nothing changes.
  for (const drainTo of ['h2', 'nowhere']) {
    const refused = await berth.api('PATCH', '/api/v1/hosts/h2', { draining: true, drainTo });
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues[0].path).toBe('drainTo');
  }
  expect((await berth.api('PATCH', '/api/v1/hosts/h2', { drainTo: null })).status).toBe(400);
  expect((await berth.api('GET', '/api/v1/hosts/h2')).body).toMatchObject({ draining: false, drain: null });

  const load = startLoad({ url: inject('services').traefik.entryUrl, host: second.host, ratePerSecond: 30, maxRequests: 6000, maxMs: 180_000, acceptBodies: ['v2'] });
  const started = Date.now();
  const drained = await berth.api('PATCH', '/api/v1/hosts/h2', { draining: true });
  expect(drained.status, JSON.stringify(drained.body)).toBe(200);
  expect(drained.body).toMatchObject({ draining: true, drain: { state: 'moving', total: 2, target: null } });
  const seen = new Set<string>();
  await waitFor(
    'h2 drained',
    async () => {
      const host = (await berth.api('GET', '/api/v1/hosts/h2')).body;
      if (host.drain?.current) seen.add(host.drain.current.environment);
      return host.drain?.state === 'drained' || host.drain?.state === 'incomplete';
    },
    240_000,
  );
  const result = await load.stop();
  const host = (await berth.api('GET', '/api/v1/hosts/h2')).body;
  expect(host.drain).toMatchObject({ state: 'drained', total: 2, moved: ['mover/prod', 'second/prod'], failed: [], current: null });
  console.log(`host-moves: drain of h2 (2 environments) ${Date.now() - started} ms; progress seen: ${[...seen].join(', ')}; load on second: ${result.sent} requests, ${result.failed} failed`);
  expect(result.failures).toEqual([]);
  for (const fx of [mover, second]) {
    expect((await berth.api('GET', fx.base)).body).toMatchObject({ hostId: null, placement: berth.config.hostId });
    expect(onH2(fx.environmentId)).toEqual([]);
    expect((await berth.containers(fx.environmentId)).filter((c) => c.State === 'running')).toHaveLength(1);
    const moves = (await berth.api('GET', `${fx.base}/deployments`)).body.items.filter((x: { trigger: string }) => x.trigger === 'move');
    expect(moves.every((x: { status: string }) => x.status === 'succeeded')).toBe(true);
  }
  // One after another: the second move was queued once the first had ended.
  const [first, next] = await Promise.all(
    [mover, second].map(async (fx) => (await berth.api('GET', `${fx.base}/deployments`)).body.items.find((x: { trigger: string }) => x.trigger === 'move')),
  );
  expect(Date.parse(next.createdAt)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt));
  const prune = (await berth.api('GET', `/api/v1/deployments/${next.id}`)).body.phases.find((p: { phase: string }) => p.phase === 'prune');
  expect(prune.message).toMatch(/removed 1 container\(s\) on host h2/);
  expect(await body(mover)).toBe('v1');
  expect(await body(second)).toBe('v2');
  // Nothing placed on h2 any more: only its live worker keeps it from being removed.
  expect((await berth.api('DELETE', '/api/v1/hosts/h2')).body.error.message).toMatch(/alive/);
  expect((await berth.api('PATCH', '/api/v1/hosts/h2', { draining: false })).status).toBe(200);
}, 300_000);

test('h2’s Docker daemon stopped while a deploy there starts its containers: the deploy waits for the engine and finishes', async () => {
  const engine = await createImageApp(berth, { app: 'engine-away', healthCheck: { intervalMs: 100, startPeriodMs: 10_000 }, environment: { hostId: 'h2' } });
  const first = await waitForDeployment(berth, await deploy(berth, engine, tags.v1), 90_000);
  expect(first.status, first.message).toBe('succeeded');
  // v3 answers 5 s after it starts: the stop lands while the deploy gates it. (A stop that lands
  // in its start may let the whole deploy end during the daemon's own shutdown, which keeps
  // answering until its containers have stopped; docker-restart.test.ts holds the create and
  // the start themselves.)
  const id = await deploy(berth, engine, tags.v3);
  let phase: string | null = null;
  await waitFor(`the health gate of ${id}`, async () => (phase = await runningPhase(berth, id)) === 'health', 60_000, 2);
  const stoppedAt = Date.now();
  await h2.restart(async () => {
    await new Promise((r) => setTimeout(r, 3000));
    expect((await berth.api('GET', `/api/v1/deployments/${id}`)).body.status).toBe('running');
  });
  const d = await waitForDeployment(berth, id, 180_000);
  expect(d.status, d.message).toBe('succeeded');
  console.log(`host-moves: h2's dockerd stopped in ${phase} (down 3 s), deploy finished ${Date.parse(d.finishedAt) - stoppedAt} ms after the stop`);
  await waitFor('v3 through Traefik', async () => (await body(engine)) === 'v3', 60_000);
  expect(onH2(engine.environmentId).filter((l) => l.endsWith(' running')).map((l) => l.split(' ')[0])).toEqual([id]);
  expect(await berth.containers(engine.environmentId)).toEqual([]);
}, 300_000);

test('a move that fails on the new host (its image is not there) leaves the environment serving on the old one, nothing on h2', async () => {
  const stays = await createImageApp(berth, { app: 'stays', healthCheck: { intervalMs: 100, startPeriodMs: 3000 } });
  const d = await waitForDeployment(berth, await deploy(berth, stays, localOnly), 90_000);
  expect(d.status, d.message).toBe('succeeded');
  const load = startLoad({ url: inject('services').traefik.entryUrl, host: stays.host, ratePerSecond: 30, maxRequests: 6000, maxMs: 180_000, acceptBodies: ['local'] });
  const asked = await berth.api('POST', `${stays.base}/move`, { hostId: 'h2' });
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  const moved = await waitForDeployment(berth, asked.body.deploymentId, 180_000);
  const result = await load.stop();
  expect(moved.status).toBe('failed');
  console.log(`host-moves: failed move (${moved.message}); load: ${result.sent} requests, ${result.failed} failed`);
  expect(result.failures).toEqual([]);
  expect((await berth.api('GET', stays.base)).body).toMatchObject({ hostId: null, liveDeploymentId: d.id });
  expect((await berth.containers(stays.environmentId)).filter((c) => c.State === 'running')).toHaveLength(1);
  expect(onH2(stays.environmentId).filter((l) => l.endsWith(' running'))).toEqual([]);
  expect(await body(stays)).toBe('local');
}, 240_000);

test('a move cancelled in its health gate on the new host leaves the environment where it was', async () => {
  const engine = (await berth.api('GET', '/api/v1/apps/engine-away/environments/prod')).body;
  const asked = await berth.api('POST', '/api/v1/apps/engine-away/environments/prod/move', { hostId: null });
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  const id = asked.body.deploymentId;
  await waitFor(`health phase of ${id}`, async () => (await runningPhase(berth, id)) === 'health', 60_000, 2);
  // While it moves, nothing else is asked of the environment: a deploy or a second move is
  // refused (409), and no deployment is queued for it.
  const deploy = await berth.api('POST', '/api/v1/apps/engine-away/environments/prod/deployments', { image: tags.v1 });
  expect(deploy.status, JSON.stringify(deploy.body)).toBe(409);
  expect(deploy.body.error.message).toMatch(/is moving to another host/);
  const again = await berth.api('POST', '/api/v1/apps/engine-away/environments/prod/move', { hostId: null });
  expect(again.status, JSON.stringify(again.body)).toBe(409);
  expect(again.body.error.message).toMatch(/queued or running/);
  expect((await berth.api('POST', `/api/v1/deployments/${id}/cancel`, {})).status).toBeLessThan(300);
  const d = await waitForDeployment(berth, id, 60_000);
  expect(d.status).toBe('cancelled');
  expect((await berth.api('GET', '/api/v1/apps/engine-away/environments/prod')).body).toMatchObject({ hostId: 'h2', liveDeploymentId: engine.liveDeploymentId });
  expect(await berth.containers(engine.id)).toEqual([]);
  expect(onH2(engine.id).filter((l) => l.endsWith(' running'))).toHaveLength(1);
  expect((await throughTraefik(engine.hosts[0])).body.trim()).toBe('v3');
}, 120_000);

test('the histories of moves, the drain and the deploys on h2 replay against the current code', async () => {
  const histories = [];
  for await (const info of berth.temporal.workflow.list({ query: 'ExecutionStatus != "Running"' })) {
    histories.push({ workflowId: info.workflowId, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
  }
  expect(histories.some((h) => h.workflowId.startsWith('drain-host-'))).toBe(true);
  const errors = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'host-moves-replay', dataConverter: berth.dataConverter }, histories)) {
    if (r.error) errors.push(`${r.workflowId}: ${String(r.error)}`);
  }
  expect(errors).toEqual([]);
}, 120_000);
