// Placement on a second real host: a Docker daemon in a network namespace of its own (its own
// address), with its own `berth worker --host h2` process. An environment placed on h2 deploys
// there (not on the machine's daemon), Traefik in the root namespace routes to it at h2's
// address, a second deploy under load drops nothing, a rollback works, and a deploy whose h2
// worker is SIGKILLed mid-way resumes when the worker comes back. An environment on the default
// host is unaffected. Unknown and draining hosts are refused with nothing changed.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { routeFileName } from '../../src/domain/route.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { startSecondDockerHost, type SecondDockerHost } from '../support/second-docker-host.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { runningPhase } from '../support/running-phase.js';

const tags = { v1: 'berth-test/placed:v1', v2: 'berth-test/placed:v2', v3: 'berth-test/placed:v3' };
let berth: TestBerth;
let h2: SecondDockerHost;
let worker: ChildProcess | null = null;
let placed: AppFixture;
let local: AppFixture;

const startH2Worker = () => berth.spawnWorker({ DOCKER_SOCKET: h2.socket, BERTH_HOST_ADDRESS: h2.address, BERTH_HOST_HEARTBEAT_SECONDS: '1' }, ['--host', 'h2']);

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2', stopDelay: 1 });
  buildHello(tags.v3, { version: 'v3', startDelay: 2 });
  h2 = await startSecondDockerHost();
  h2.load(...Object.values(tags));
  berth = await startBerth();
  const registered = await berth.api('POST', '/api/v1/hosts', { id: 'h2', address: h2.address });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  worker = await startH2Worker();
}, 180_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  try {
    await berth?.close();
  } finally {
    // The namespace, its veth and the second daemon go whatever happened to Berth.
    await h2?.stop();
    removeImages(...Object.values(tags));
  }
}, 120_000);

const body = async (fx: AppFixture) => (await throughTraefik(fx.host)).body.trim();
const onH2 = (environmentId: string) => h2.environmentContainers(environmentId, '{{.Ports}}');

test('an unknown or draining host is refused and nothing changes', async () => {
  await berth.api('POST', '/api/v1/projects', { name: 'p-refused' });
  expect((await berth.api('POST', '/api/v1/apps', { project: 'p-refused', name: 'refused', port: 8080 })).status).toBe(201);
  const unknown = await berth.api('POST', '/api/v1/apps/refused/environments', { name: 'prod', hostId: 'nowhere' });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.issues).toEqual([{ path: 'hostId', message: 'no such host' }]);
  expect((await berth.api('POST', '/api/v1/apps/refused/environments', { name: 'prod', hostId: 'Not_An_Id' })).status).toBe(400);
  expect((await berth.api('POST', '/api/v1/hosts', { id: 'h3', address: '10.213.255.254' })).status).toBe(201);
  expect((await berth.api('PATCH', '/api/v1/hosts/h3', { draining: true })).status).toBe(200);
  const draining = await berth.api('POST', '/api/v1/apps/refused/environments', { name: 'prod', hostId: 'h3' });
  expect(draining.status).toBe(400);
  expect(draining.body.error.message).toMatch(/draining/);
  expect((await berth.api('GET', '/api/v1/apps/refused/environments/prod')).status).toBe(404);
  // A stack runs on the installation's Swarm: it stays on the installation's host.
  expect((await berth.api('POST', '/api/v1/apps', { project: 'p-refused', name: 'refused-stack', kind: 'stack', compose: 'services:\n  a: { image: x }\n' })).status).toBe(201);
  const stack = await berth.api('POST', '/api/v1/apps/refused-stack/environments', { name: 'prod', hostId: 'h2' });
  expect(stack.status).toBe(400);
  expect(stack.body.error.issues).toEqual([{ path: 'hostId', message: 'a stack app cannot be placed on another host' }]);
  expect((await berth.api('GET', '/api/v1/apps/refused-stack/environments/prod')).status).toBe(404);

  const made = await berth.api('POST', '/api/v1/apps/refused/environments', { name: 'prod' });
  expect(made.status).toBe(201);
  expect(made.body).toMatchObject({ hostId: null, placement: berth.config.hostId });
  for (const hostId of ['nowhere', 'h3']) {
    expect((await berth.api('PATCH', '/api/v1/apps/refused/environments/prod', { hostId, drainSeconds: 17 })).status).toBe(400);
  }
  expect((await berth.api('GET', '/api/v1/apps/refused/environments/prod')).body).toMatchObject({ hostId: null, drainSeconds: made.body.drainSeconds });

  // A host with an environment placed on it is not removed.
  expect((await berth.api('PATCH', '/api/v1/hosts/h3', { draining: false })).status).toBe(200);
  expect((await berth.api('PATCH', '/api/v1/apps/refused/environments/prod', { hostId: 'h3' })).body.placement).toBe('h3');
  const removal = await berth.api('DELETE', '/api/v1/hosts/h3');
  expect(removal.status).toBe(409);
  expect(removal.body.error.message).toMatch(/1 environment/);
  expect((await berth.api('PATCH', '/api/v1/apps/refused/environments/prod', { hostId: null })).body.placement).toBe(berth.config.hostId);
  expect((await berth.api('DELETE', '/api/v1/hosts/h3')).status).toBe(204);
});

test('an environment placed on h2 runs on the second daemon, routed by Traefik at h2’s address', async () => {
  placed = await createImageApp(berth, { app: 'placed', healthCheck: { intervalMs: 100, startPeriodMs: 3000 }, environment: { hostId: 'h2', drainSeconds: 1 } });
  const id = await deploy(berth, placed, tags.v1);
  const d = await waitForDeployment(berth, id, 90_000);
  expect(d.status, d.message).toBe('succeeded');
  expect(await body(placed)).toBe('v1');
  // On h2's daemon, published on h2's address only; none on the machine's daemon.
  expect(onH2(placed.environmentId)).toHaveLength(1);
  expect(onH2(placed.environmentId)[0]).toMatch(new RegExp(`^${id} running ${h2.address.replace(/\./g, '\\.')}:\\d+->8080/tcp$`));
  expect(await berth.containers(placed.environmentId)).toEqual([]);
  const route = readFileSync(join(inject('services').traefik.routesDir, routeFileName(berth.config.instance, placed.environmentId)), 'utf8');
  expect(route).toContain(`http://${h2.address}:`);
  expect(route).not.toContain('127.0.0.1');
  expect((await berth.api('GET', placed.base)).body).toMatchObject({ hostId: 'h2', placement: 'h2' });
  // Deployed, it stays where it is.
  expect((await berth.api('PATCH', placed.base, { hostId: null })).status).toBe(409);
});

test('a second deploy on h2 under steady load drops no request; a rollback works', async () => {
  const load = startLoad({ url: inject('services').traefik.entryUrl, host: placed.host, ratePerSecond: 50, maxRequests: 3000, maxMs: 60_000, acceptBodies: ['v1', 'v2'] });
  const id = await deploy(berth, placed, tags.v2);
  const d = await waitForDeployment(berth, id, 90_000);
  await new Promise((r) => setTimeout(r, 500));
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(result.failures).toEqual([]);
  expect(result.failed).toBe(0);
  expect(result.sent).toBeGreaterThan(50);
  expect(result.bodies.get('v2') ?? 0).toBeGreaterThan(0);
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  console.log(`placement: redeploy on h2 under load: ${result.sent} requests, ${result.failed} failed, p95 ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(1)} ms; deploy ${Date.parse(d.finishedAt) - Date.parse(d.createdAt)} ms`);
  expect(await body(placed)).toBe('v2');

  const rollback = await berth.api('POST', `${placed.base}/rollback`, {});
  expect(rollback.status, JSON.stringify(rollback.body)).toBe(202);
  const r = await waitForDeployment(berth, rollback.body.deploymentId, 90_000);
  expect(r.status, r.message).toBe('succeeded');
  expect(await body(placed)).toBe('v1');
  expect(await berth.containers(placed.environmentId)).toEqual([]);
  expect(onH2(placed.environmentId).filter((l) => l.includes(' running '))).toHaveLength(1);
});

test('an environment on the default host is unaffected: it runs on the machine’s daemon at 127.0.0.1', async () => {
  local = await createImageApp(berth, { app: 'unplaced', healthCheck: { intervalMs: 100, startPeriodMs: 3000 } });
  const id = await deploy(berth, local, tags.v1);
  const d = await waitForDeployment(berth, id, 90_000);
  expect(d.status, d.message).toBe('succeeded');
  expect(await body(local)).toBe('v1');
  const mine = await berth.containers(local.environmentId);
  expect(mine.map((c) => [c.State, c.Ports[0]?.IP])).toEqual([['running', '127.0.0.1']]);
  expect(onH2(local.environmentId)).toEqual([]);
  expect(await body(placed)).toBe('v1');
});

test('h2’s worker SIGKILLed mid-deploy: the deploy resumes when it is back, and succeeds', async () => {
  // v3 starts slowly (2 s): the kill lands in its health gate, run by h2's worker.
  const id = await deploy(berth, placed, tags.v3);
  await waitFor(`health phase of ${id}`, async () => (await runningPhase(berth, id)) === 'health', 60_000, 2);
  worker?.kill('SIGKILL');
  const killedAt = Date.now();
  await new Promise((r) => setTimeout(r, 1000));
  expect((await berth.api('GET', `/api/v1/deployments/${id}`)).body.status).toBe('running');
  worker = await startH2Worker();
  const d = await waitForDeployment(berth, id, 120_000);
  expect(d.status, d.message).toBe('succeeded');
  console.log(`placement: h2 worker killed in health, deploy finished ${Date.parse(d.finishedAt) - killedAt} ms after the kill`);
  expect(await body(placed)).toBe('v3');
  const running = onH2(placed.environmentId).filter((l) => l.includes(' running '));
  expect(running.map((l) => l.split(' ')[0])).toEqual([id]);
  expect(await berth.containers(placed.environmentId)).toEqual([]);
});

test('reconcile follows the environment’s host: a container removed on h2 is made again on h2', async () => {
  const [live] = onH2(placed.environmentId).filter((l) => l.includes(' running '));
  const deploymentId = live?.split(' ')[0] as string;
  h2.docker('rm', '-f', ...h2.docker('ps', '-q', '--filter', `label=berth.deployment=${deploymentId}`).trim().split('\n'));
  // Asked through the API (whose own host is the default one), healed on h2 all the same.
  const res = await berth.api('POST', '/api/v1/reconcile', { app: 'placed', env: 'prod', wait: true });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await waitFor('the live release running on h2 again', async () => onH2(placed.environmentId).some((l) => l.startsWith(`${deploymentId} running ${h2.address}:`)), 60_000);
  await waitFor('v3 through Traefik', async () => (await body(placed)) === 'v3', 30_000);
  expect(await berth.containers(placed.environmentId)).toEqual([]);
  // The whole reconcile, run on the default host's schedule, heals each environment where it is placed.
  const all = await berth.api('POST', '/api/v1/reconcile', { wait: true });
  expect(all.status, JSON.stringify(all.body)).toBe(200);
  expect(await body(placed)).toBe('v3');
  expect(await body(local)).toBe('v1');
  expect(await berth.containers(placed.environmentId)).toEqual([]);
});

test('removing an environment placed on h2 removes its containers on h2', async () => {
  expect(onH2(placed.environmentId).length).toBeGreaterThan(0);
  const res = await berth.api('DELETE', `${placed.base}?confirm=prod`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  // The removal answers once a reconcile pass swept every live host, h2 included.
  expect(onH2(placed.environmentId)).toEqual([]);
  expect(res.body.containers).toBeGreaterThan(0);
  expect(await body(local)).toBe('v1');
}, 180_000);

test('the histories of deploys, rollback and reconciles on h2 replay against the current code', async () => {
  const histories = [];
  for await (const info of berth.temporal.workflow.list({ query: 'ExecutionStatus != "Running"' })) {
    histories.push({ workflowId: info.workflowId, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
  }
  expect(histories.length).toBeGreaterThan(5);
  const errors = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'placement-replay', dataConverter: berth.dataConverter }, histories)) {
    if (r.error) errors.push(`${r.workflowId}: ${String(r.error)}`);
  }
  expect(errors).toEqual([]);
}, 120_000);
