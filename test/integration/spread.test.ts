// An image app spread over two real hosts: the machine's Docker daemon (the installation's own
// host) and a second daemon in a network namespace of its own with its own `berth worker --host
// h2` (test/support/second-docker-host.ts). Each deploy launches on both hosts at once, switches
// the route once to the servers of both (Traefik's file lists both addresses), and under steady
// load through Traefik drops nothing; answers come from containers on both daemons; a rollback
// to the retained release does the same. h2's worker SIGKILLed in the middle of a deploy ends
// the deploy (failed, naming h2) with the old release serving on both hosts; once it is back,
// reconcile removes what the deploy left there. Reconcile heals each host's share: a replica
// stopped on h2 is started through h2's own events listener; h2's daemon stopped under load is
// left out of the route, back it is routed again. Bad settings are refused, nothing changed.
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
import { startLoad, type LoadResult } from '../support/load.js';
import { startSecondDockerHost, type SecondDockerHost } from '../support/second-docker-host.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { runningPhase } from '../support/running-phase.js';
import { answeringContainers, reportLoad, shortIds } from '../support/spread-answers.js';

const tags = { v1: 'berth-test/spread:v1', v2: 'berth-test/spread:v2', v3: 'berth-test/spread:v3' };
let berth: TestBerth;
let h2: SecondDockerHost;
let worker: ChildProcess | null = null;
let spread: AppFixture;

const startH2Worker = () => berth.spawnWorker({ DOCKER_SOCKET: h2.socket, BERTH_HOST_ADDRESS: h2.address, BERTH_HOST_HEARTBEAT_SECONDS: '1' }, ['--host', 'h2']);

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1', stopDelay: 1 });
  buildHello(tags.v2, { version: 'v2', stopDelay: 1 });
  buildHello(tags.v3, { version: 'v3', startDelay: 6 });
  h2 = await startSecondDockerHost();
  h2.load(...Object.values(tags));
  berth = await startBerth();
  expect((await berth.api('POST', '/api/v1/hosts', { id: 'h2', address: h2.address, labels: { zone: 'b' } })).status).toBe(201);
  worker = await startH2Worker();
  await waitFor('h2 alive', async () => (await berth.api('GET', '/api/v1/hosts/h2')).body.alive === true, 30_000);
}, 180_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  try {
    await berth?.close();
  } finally {
    await h2?.stop();
    removeImages(...Object.values(tags));
  }
}, 120_000);

/** The environment's running containers on each host, by deployment. */
const running = async (environmentId: string) => ({
  own: (await berth.containers(environmentId)).filter((c) => c.State === 'running').map((c) => c.Labels['berth.deployment']),
  h2: h2
    .environmentContainers(environmentId)
    .filter((l) => l.endsWith(' running'))
    .map((l) => l.split(' ')[0]),
});

const routeFile = (environmentId: string) => readFileSync(join(inject('services').traefik.routesDir, routeFileName(berth.config.instance, environmentId)), 'utf8');

const report = (what: string, result: LoadResult, ms?: number) => reportLoad('spread', what, result, ms);

test('bad spread settings are refused with nothing changed: unknown host, more hosts than eligible, a stack, a static site, a git app without a registry', async () => {
  await berth.api('POST', '/api/v1/projects', { name: 'p-refused' });
  expect((await berth.api('POST', '/api/v1/apps', { project: 'p-refused', name: 'refused', port: 8080 })).status).toBe(201);
  const cases: [unknown, RegExp][] = [
    [{ count: 2, hosts: ['h2', 'nowhere'] }, /nowhere not registered/],
    [{ count: 3 }, /spread over 3 hosts, but 2 eligible/],
    [{ count: 2, labels: { zone: 'b' } }, /but 1 eligible \(h2\)/],
    [{ count: 2, hosts: ['h2'] }, /fewer hosts named than count/],
    [{ count: 0 }, /./],
    [{ count: 2, hosts: ['h2', 'h2'] }, /named twice/],
    [{ count: 2, extra: 1 }, /./],
  ];
  for (const [setting, message] of cases) {
    const refused = await berth.api('POST', '/api/v1/apps/refused/environments', { name: 'prod', spread: setting });
    expect(refused.status, JSON.stringify(setting)).toBe(400);
    expect(JSON.stringify(refused.body.error)).toMatch(message);
  }
  expect((await berth.api('GET', '/api/v1/apps/refused/environments/prod')).status).toBe(404);
  // Made without one, a bad one in a PATCH changes nothing (the other fields of it neither).
  const made = await berth.api('POST', '/api/v1/apps/refused/environments', { name: 'prod' });
  expect(made.status).toBe(201);
  const patched = await berth.api('PATCH', '/api/v1/apps/refused/environments/prod', { spread: { count: 3 }, drainSeconds: 17 });
  expect(patched.status).toBe(400);
  expect((await berth.api('GET', '/api/v1/apps/refused/environments/prod')).body).toMatchObject({ spread: null, drainSeconds: made.body.drainSeconds });
  // A draining host is not eligible.
  expect((await berth.api('PATCH', '/api/v1/hosts/h2', { draining: true })).status).toBe(200);
  expect((await berth.api('PATCH', '/api/v1/apps/refused/environments/prod', { spread: { count: 2 } })).status).toBe(400);
  expect((await berth.api('PATCH', '/api/v1/hosts/h2', { draining: false })).status).toBe(200);
  // Stacks and static sites run on one host.
  expect((await berth.api('POST', '/api/v1/apps', { project: 'p-refused', name: 'refused-stack', kind: 'stack', compose: 'services:\n  a: { image: x }\n' })).status).toBe(201);
  const stack = await berth.api('POST', '/api/v1/apps/refused-stack/environments', { name: 'prod', spread: { count: 2 } });
  expect(stack.status).toBe(400);
  expect(stack.body.error.issues).toEqual([{ path: 'spread', message: 'a stack app cannot be spread' }]);
  expect((await berth.api('GET', '/api/v1/apps/refused-stack/environments/prod')).status).toBe(404);
  expect((await berth.api('POST', '/api/v1/apps', { project: 'p-refused', name: 'refused-site', kind: 'static' })).status).toBe(201);
  expect((await berth.api('POST', '/api/v1/apps/refused-site/environments', { name: 'prod', spread: { count: 2 } })).status).toBe(400);
  expect((await berth.api('GET', '/api/v1/apps/refused-site/environments/prod')).status).toBe(404);
  // A git app spreads only through a registry, and this installation has none (BERTH_BUILD_REGISTRY unset).
  expect((await berth.api('POST', '/api/v1/apps', { project: 'p-refused', name: 'refused-git', kind: 'git', port: 8080, git: { url: 'file:///nowhere' } })).status).toBe(201);
  const git = await berth.api('POST', '/api/v1/apps/refused-git/environments', { name: 'prod', spread: { count: 2 } });
  expect(git.status).toBe(400);
  expect(git.body.error.message).toMatch(/reaches no other without a registry: set BERTH_BUILD_REGISTRY/);
  expect(git.body.error.issues).toEqual([{ path: 'spread', message: 'no registry configured' }]);
  expect((await berth.api('GET', '/api/v1/apps/refused-git/environments/prod')).status).toBe(404);
  expect((await berth.api('POST', '/api/v1/apps/refused-git/environments', { name: 'prod' })).status).toBe(201);
  const gitPatch = await berth.api('PATCH', '/api/v1/apps/refused-git/environments/prod', { spread: { count: 2 }, drainSeconds: 17 });
  expect(gitPatch.status).toBe(400);
  expect((await berth.api('GET', '/api/v1/apps/refused-git/environments/prod')).body).toMatchObject({ spread: null });
  expect((await berth.api('GET', '/api/v1/apps/refused-git/environments/prod')).body.drainSeconds).not.toBe(17);
  // A valid one is accepted and shown.
  const ok = await berth.api('PATCH', '/api/v1/apps/refused/environments/prod', { spread: { count: 2, labels: {} } });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  expect(ok.body.spread).toEqual({ count: 2, labels: {} });
});

test('spread over both hosts: deployed twice and rolled back under steady load with 0 failed requests, answers from both daemons', async () => {
  spread = await createImageApp(berth, { app: 'spread', replicas: 2, healthCheck: { intervalMs: 100, startPeriodMs: 3000 }, environment: { spread: { count: 2 }, drainSeconds: 1, retention: 3 } });
  const first = await waitForDeployment(berth, await deploy(berth, spread, tags.v1), 120_000);
  expect(first.status, first.message).toBe('succeeded');
  expect(await running(spread.environmentId)).toEqual({ own: [first.id], h2: [first.id] });
  const route = routeFile(spread.environmentId);
  expect(route).toContain(`http://${h2.address}:`);
  expect(route).toContain('http://127.0.0.1:');

  const load = startLoad({ url: inject('services').traefik.entryUrl, host: spread.host, ratePerSecond: 40, maxRequests: 8000, maxMs: 120_000, acceptBodies: ['v1', 'v2'] });
  const second = await waitForDeployment(berth, await deploy(berth, spread, tags.v2), 120_000);
  await new Promise((r) => setTimeout(r, 500));
  const deployed = await load.stop();
  expect(second.status, second.message).toBe('succeeded');
  report('deploy of v2 over 2 hosts under load', deployed, Date.parse(second.finishedAt) - Date.parse(second.createdAt));
  expect(deployed.failures).toEqual([]);
  expect(deployed.failed).toBe(0);
  expect(deployed.bodies.get('v2')).toBeGreaterThan(0);
  expect(await running(spread.environmentId)).toEqual({ own: [second.id], h2: [second.id] });
  // Answers from the containers of both daemons.
  const answered = await answeringContainers(spread.host, 12);
  const own = shortIds(null, spread.environmentId);
  const there = shortIds(h2.socket, spread.environmentId);
  expect(own).toHaveLength(1);
  expect(there).toHaveLength(1);
  expect([...answered].sort()).toEqual([...own, ...there].map((id) => id.slice(0, 12)).sort());

  // Rollback to v1, whose containers were retained (stopped) on both hosts.
  const back = startLoad({ url: inject('services').traefik.entryUrl, host: spread.host, ratePerSecond: 40, maxRequests: 8000, maxMs: 120_000, acceptBodies: ['v1', 'v2'] });
  const asked = await berth.api('POST', `${spread.base}/rollback`, {});
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  const rolled = await waitForDeployment(berth, asked.body.deploymentId, 120_000);
  await new Promise((r) => setTimeout(r, 500));
  const rolledLoad = await back.stop();
  expect(rolled.status, rolled.message).toBe('succeeded');
  report('rollback to v1 over 2 hosts under load', rolledLoad, Date.parse(rolled.finishedAt) - Date.parse(rolled.createdAt));
  expect(rolledLoad.failures).toEqual([]);
  expect(rolledLoad.failed).toBe(0);
  const phases = (await berth.api('GET', `/api/v1/deployments/${rolled.id}`)).body.phases as { phase: string; outcome: string; message: string | null }[];
  expect(phases.find((p) => p.phase === 'create')).toMatchObject({ outcome: 'skipped' });
  // The retained containers of the first deploy run again, on both hosts.
  expect(await running(spread.environmentId)).toEqual({ own: [first.id], h2: [first.id] });
  expect((await throughTraefik(spread.host)).body.trim()).toBe('v1');
  expect((await berth.api('GET', spread.base)).body).toMatchObject({ spread: { count: 2 }, liveDeploymentId: rolled.id });
  // Moving a spread environment is refused: its deploys choose its hosts.
  expect((await berth.api('POST', `${spread.base}/move`, { hostId: 'h2' })).status).toBe(409);
  // Its spread changes only while nothing is live; the same setting sent again is no change.
  expect((await berth.api('PATCH', spread.base, { spread: null })).status).toBe(409);
  expect((await berth.api('PATCH', spread.base, { spread: { count: 2 } })).status).toBe(200);
  // A domain added while it is live reaches its route, whose servers stay on both hosts.
  expect((await berth.api('PATCH', spread.base, { domains: ['spread.berth.test'] })).status).toBe(200);
  await waitFor('the new domain routed', async () => (await throughTraefik('spread.berth.test')).body.trim() === 'v1', 30_000, 100);
  expect(routeFile(spread.environmentId)).toContain(`http://${h2.address}:`);
  expect(routeFile(spread.environmentId)).toContain('http://127.0.0.1:');
  expect(await running(spread.environmentId)).toEqual({ own: [first.id], h2: [first.id] });
}, 420_000);

test('h2’s worker SIGKILLed mid-deploy: the deploy fails naming h2, the old release serves on both hosts all along', async () => {
  const live = (await berth.api('GET', spread.base)).body.liveDeploymentId as string;
  // The rollback's containers are those the first deploy made: labelled with its id.
  const before = await running(spread.environmentId);
  expect(before.own).toHaveLength(1);
  const load = startLoad({ url: inject('services').traefik.entryUrl, host: spread.host, ratePerSecond: 30, maxRequests: 8000, maxMs: 180_000, acceptBodies: ['v1'] });
  // v3 answers 6 s after it starts: the kill lands in the health gate.
  const id = await deploy(berth, spread, tags.v3);
  await waitFor(`the health gate of ${id}`, async () => (await runningPhase(berth, id)) === 'health', 60_000, 2);
  // Its container runs on h2 too (gated there), so the kill leaves something of it behind.
  await waitFor(`${id} started on h2`, async () => h2.environmentContainers(spread.environmentId).some((l) => l === `${id} running`), 30_000, 2);
  const killedAt = Date.now();
  worker?.kill('SIGKILL');
  worker = null;
  const d = await waitForDeployment(berth, id, 180_000);
  const result = await load.stop();
  report(`deploy with h2's worker killed (${d.message})`, result, Date.parse(d.finishedAt) - killedAt);
  expect(d.status).toBe('failed');
  expect(d.message).toMatch(/host h2/);
  expect(result.failures).toEqual([]);
  expect(result.failed).toBe(0);
  expect(result.bodies.get('v1')).toBeGreaterThan(0);
  expect((await berth.api('GET', spread.base)).body.liveDeploymentId).toBe(live);
  // Nothing of the failed deploy runs on the installation's host; both old containers serve.
  const now = await running(spread.environmentId);
  expect(now.own).toEqual(before.own);
  expect(now.h2).toEqual(expect.arrayContaining(before.h2));
  expect((await answeringContainers(spread.host, 8)).size).toBe(2);
  // Its container on h2 is left there: the worker that would remove it is gone.
  expect(h2.environmentContainers(spread.environmentId).map((l) => l.split(' ')[0])).toContain(id);

  // h2's worker back: a reconcile removes what the failed deploy left there, and leaves the
  // spread environment as it is on both hosts (it does not pull it onto one host).
  worker = await startH2Worker();
  await waitFor('h2 alive', async () => (await berth.api('GET', '/api/v1/hosts/h2')).body.alive === true, 30_000);
  const routeBefore = routeFile(spread.environmentId);
  const reconciled = await berth.api('POST', '/api/v1/reconcile', { wait: true });
  expect(reconciled.status, JSON.stringify(reconciled.body)).toBe(200);
  expect(h2.environmentContainers(spread.environmentId).map((l) => l.split(' ')[0])).not.toContain(id);
  expect(await running(spread.environmentId)).toEqual(before);
  expect(routeFile(spread.environmentId)).toBe(routeBefore);
  // The next deploy runs on both hosts again.
  const again = await waitForDeployment(berth, await deploy(berth, spread, tags.v2), 120_000);
  expect(again.status, again.message).toBe('succeeded');
  expect(await running(spread.environmentId)).toEqual({ own: [again.id], h2: [again.id] });
}, 420_000);

type ReconcileEvent = { id: number; drift: string; action: string; trigger: string; detail: Record<string, unknown> };
const reconcileEvents = async (): Promise<ReconcileEvent[]> => (await berth.api('GET', `/api/v1/reconcile/events?app=spread&env=${spread.env}&limit=200`)).body.items;
const routedToH2 = (environmentId: string) => routeFile(environmentId).includes(`http://${h2.address}:`);
const loadOfV2 = (maxMs: number) => startLoad({ url: inject('services').traefik.entryUrl, host: spread.host, ratePerSecond: 30, maxRequests: 20_000, maxMs, acceptBodies: ['v2'] });

test('a host’s share healed by reconcile: h2’s replica stopped is started again by h2’s own events listener; h2’s daemon stopped under load leaves it out of the route, back it is healed and routed again', async () => {
  const environmentId = spread.environmentId;
  const live = (await berth.api('GET', spread.base)).body.liveDeploymentId as string;
  expect(await running(environmentId)).toEqual({ own: [live], h2: [live] });

  // The replica on h2 stopped (no restart policy brings it back): h2's worker sees it die and
  // starts the environment's targeted reconcile, which starts it again and routes its new port.
  const there = shortIds(h2.socket, environmentId)[0] as string;
  h2.docker('stop', '-t', '1', there);
  await waitFor('h2’s replica started again', async () => shortIds(h2.socket, environmentId).length === 1, 60_000, 100);
  const port = /:(\d+)\s*$/m.exec(h2.docker('port', there).trim())?.[1];
  await waitFor('the route at h2’s new port', async () => routeFile(environmentId).includes(`http://${h2.address}:${port}`), 30_000, 100);
  expect((await reconcileEvents()).find((e) => e.trigger === 'docker-event' && e.action === 'started' && e.detail.host === 'h2')).toBeTruthy();
  expect((await answeringContainers(spread.host, 12)).size).toBe(2);

  // h2's Docker daemon stopped (its containers stop with it) under steady load; a reconcile
  // while it is down routes to h1 alone.
  const load = loadOfV2(300_000);
  const ms = { stop: 0, leftOut: 0, reconcile: 0 };
  // Asserted once the daemon runs again: a failure inside would leave it stopped.
  const seen: { status: number; routedToH2: boolean; routedToH1: boolean; load: LoadResult }[] = [];
  const stopping = Date.now();
  // The targeted reconcile h2's worker starts on its replica's death may leave it out first.
  const leftOut = waitFor('h2 left out', async () => !routedToH2(environmentId), 60_000, 50).then(() => (ms.leftOut = Date.now() - stopping), () => undefined);
  await h2.restart(async () => {
    ms.stop = Date.now() - stopping;
    await leftOut;
    const t0 = Date.now();
    const reconciled = await berth.api('POST', '/api/v1/reconcile', { wait: true });
    ms.reconcile = Date.now() - t0;
    const after = loadOfV2(60_000);
    await new Promise((r) => setTimeout(r, 5000));
    seen.push({ status: reconciled.status, routedToH2: routedToH2(environmentId), routedToH1: routeFile(environmentId).includes('http://127.0.0.1:'), load: await after.stop() });
  });
  const whileDown = seen[0] as (typeof seen)[number];
  report(`after the reconcile with h2's daemon stopped (daemon stop ${ms.stop} ms, h2 left out of the route ${ms.leftOut} ms after the stop began, reconcile ${ms.reconcile} ms)`, whileDown.load);
  expect(whileDown.status).toBe(200);
  expect(whileDown.routedToH2).toBe(false);
  expect(whileDown.routedToH1).toBe(true);
  expect(whileDown.load.failures).toEqual([]);
  expect(whileDown.load.failed).toBe(0);
  expect((await reconcileEvents()).find((e) => e.drift === 'host-away' && e.action === 'left-out-of-route' && e.detail.host === 'h2')).toBeTruthy();

  // h2's daemon back: Docker restarted its replica on a new port; reconcile heals h2's share and
  // routes both hosts again, and answers come from both daemons.
  const back = loadOfV2(120_000);
  // Only what reconcile records from here on counts as h2 routed again (its first phase routed h2 too).
  const seenBefore = Math.max(0, ...(await reconcileEvents()).map((e) => e.id));
  const t1 = Date.now();
  const reconciled = await berth.api('POST', '/api/v1/reconcile', { wait: true });
  const upReconcileMs = Date.now() - t1;
  expect(reconciled.status, JSON.stringify(reconciled.body)).toBe(200);
  await waitFor('h2 routed again', async () => routedToH2(environmentId), 60_000, 100);
  expect(routeFile(environmentId)).toContain('http://127.0.0.1:');
  expect(await running(environmentId)).toEqual({ own: [live], h2: [live] });
  const answered = await answeringContainers(spread.host, 12);
  expect([...answered].sort()).toEqual([...shortIds(null, environmentId), ...shortIds(h2.socket, environmentId)].map((id) => id.slice(0, 12)).sort());
  await new Promise((r) => setTimeout(r, 3000));
  const backLoad = await back.stop();
  const whole = await load.stop();
  report(`h2 back, reconcile ${upReconcileMs} ms`, backLoad);
  report('the whole round (h2 stopped until the reconcile left it out: these failed)', whole);
  expect(backLoad.failures).toEqual([]);
  expect(backLoad.failed).toBe(0);
  const routedAgain = (await reconcileEvents()).find((e) => e.id > seenBefore && e.drift === 'route-altered' && Array.isArray((e.detail.hosts as Record<string, unknown> | undefined)?.h2));
  expect(routedAgain, JSON.stringify(await reconcileEvents())).toBeTruthy();
}, 420_000);

test('the histories of the spread deploys replay against the current code', async () => {
  const histories = [];
  for await (const info of berth.temporal.workflow.list({ query: 'ExecutionStatus != "Running"' })) {
    histories.push({ workflowId: info.workflowId, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
  }
  const errors = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'spread-replay', dataConverter: berth.dataConverter }, histories)) {
    if (r.error) errors.push(`${r.workflowId}: ${String(r.error)}`);
  }
  expect(histories.length).toBeGreaterThan(3);
  expect(errors).toEqual([]);
}, 120_000);
