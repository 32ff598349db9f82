// The hot standby: after a deploy the previous release keeps running for the environment's
// window; reconcile leaves it running inside the window and stops it after; a rollback inside
// the window starts no container — the lane switches the route alone (workflows/standby-switch.ts),
// still a recorded deployment — while a rollback that meets a busy lane, or a standby that died,
// takes the ordinary path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRouteFiles, previousRoutePath } from '../../activities/router/route-files.js';
import { createStandbySwitch } from '../../activities/router/standby-switch.js';
import { deployments } from '../../db/schema/index.js';
import type { DeployRequest } from '../../src/domain/deployment.js';
import { createLogger } from '../../src/logger.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/standby:v1', v2: 'berth-test/standby:v2', v3: 'berth-test/standby:v3' };
type Phase = { phase: string; outcome: string; message: string | null };
const phaseOf = (d: { phases: Phase[] }, name: string) => d.phases.find((p) => p.phase === name);
let berth: TestBerth;
let fx: AppFixture;
let v3 = '';
let v4 = '';
let hooks: HttpReceiver;

beforeAll(async () => {
  hooks = await startHttpReceiver();
  for (const [v, tag] of Object.entries(tags)) buildHello(tag, { version: v });
  berth = await startBerth();
  fx = await createImageApp(berth, { app: 'standby', healthCheck: { intervalMs: 100, startPeriodMs: 500, timeoutMs: 5000 }, environment: { standbySeconds: 120 } });
});

afterAll(async () => {
  await berth?.close();
  await hooks?.close();
  removeImages(...Object.values(tags));
});

/** Every container of the environment: id → [deployment, state, when it last started]. */
async function snapshot(): Promise<Map<string, [string, string, string]>> {
  const list = await berth.containers(fx.environmentId);
  return new Map(
    list.map((c) => [c.Id, [c.Labels['berth.deployment'] as string, c.State, execFileSync('/usr/bin/docker', ['inspect', '-f', '{{.State.StartedAt}}', c.Id]).toString().trim()]]),
  );
}
const reconcile = async () => expect((await berth.api('POST', '/api/v1/reconcile', { app: fx.app, env: fx.env, wait: true })).status).toBe(200);

test('the previous release keeps running in its window, reconcile included; a rollback inside it starts no container', async () => {
  const v1 = await deploy(berth, fx, tags.v1);
  expect((await waitForDeployment(berth, v1)).status).toBe('succeeded');
  const v2 = await deploy(berth, fx, tags.v2);
  const d2 = await waitForDeployment(berth, v2);
  expect(d2.status, d2.message).toBe('succeeded');
  expect(d2.phases.find((p: { phase: string }) => p.phase === 'retire').message).toMatch(/in standby for 120 s/);
  await reconcile();
  // A full pass's sweep keeps the standby release as the deploy's tidy does, even outside a
  // retention of one.
  expect((await berth.api('PATCH', fx.base, { retention: 1 })).status).toBe(200);
  expect((await berth.api('POST', '/api/v1/reconcile', { wait: true })).status).toBe(200);
  expect((await berth.api('PATCH', fx.base, { retention: null })).status).toBe(200);

  const before = await snapshot();
  const states = [...before.values()].map(([dep, state]) => [dep, state]);
  expect(states).toEqual(expect.arrayContaining([[v1, 'running'], [v2, 'running']]));
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');

  const rollback = await berth.api('POST', `${fx.base}/rollback`, {});
  expect(rollback.status).toBe(202);
  const r = await waitForDeployment(berth, rollback.body.deploymentId);
  expect(r.status, r.message).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
  // The route-only path: recorded with its phases, run by the lane (no deploy workflow), no launch step.
  expect(r.workflowId).toBe(`lane-${fx.environmentId}`);
  expect(r.phases.map((p: Phase) => p.phase).sort()).toEqual(['health', 'queued', 'retire', 'route']);
  expect(phaseOf(r, 'route')?.message).toMatch(/route-only switch to the standby/);
  expect(phaseOf(r, 'retire')?.message).toMatch(/in standby for 120 s/);
  expect(r.message).toMatch(/route-only/);

  // No container made, none started: the same containers, the same start times; v2 now waits in standby.
  const after = await snapshot();
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [id, [dep, , startedAt]] of before) expect(after.get(id)?.[2], `${dep} started again`).toBe(startedAt);
  expect([...after.values()].map(([dep, state]) => [dep, state])).toEqual(expect.arrayContaining([[v1, 'running'], [v2, 'running']]));
});

test('a standby rollback that meets a busy lane waits its turn and takes the ordinary path', async () => {
  const v2Release = (await berth.api('GET', `${fx.base}/releases`)).body.items.find((r: { imageRef: string }) => r.imageRef === tags.v2)?.id as string | undefined;
  expect(v2Release).toBeTruthy();
  // v2 is the standby now; a deploy of v3 runs when the rollback to v2 arrives.
  v3 = await deploy(berth, fx, tags.v3);
  const rollback = await berth.api('POST', `${fx.base}/rollback`, { releaseId: v2Release });
  expect(rollback.status).toBe(202);
  const d3 = await waitForDeployment(berth, v3);
  const r = await waitForDeployment(berth, rollback.body.deploymentId);
  expect(d3.status, d3.message).toBe('succeeded');
  expect(r.status, r.message).toBe('succeeded');
  expect(r.workflowId).toBe(`deploy-${r.id}`);
  expect(phaseOf(r, 'start')).toBeTruthy();
  // One at a time: the rollback began after the deploy had ended.
  expect(Date.parse(r.startedAt)).toBeGreaterThanOrEqual(Date.parse(d3.finishedAt));
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');
});

test('a rollback to a standby that died falls back to the ordinary rollback, which starts it again', async () => {
  // Live: v2 (the rollback above); standby: v3. Its container stops (no restart policy brings a stopped one back).
  const standby = (await berth.containers(fx.environmentId)).filter((c) => c.State === 'running' && c.Labels['berth.deployment'] === v3);
  expect(standby.length).toBe(1);
  execFileSync('/usr/bin/docker', ['stop', '-t', '0', standby[0]?.Id as string]);
  const rollback = await berth.api('POST', `${fx.base}/rollback`, {});
  expect(rollback.status).toBe(202);
  const r = await waitForDeployment(berth, rollback.body.deploymentId);
  expect(r.status, r.message).toBe('succeeded');
  expect(r.workflowId).toBe(`deploy-${r.id}`);
  expect(phaseOf(r, 'start')).toBeTruthy();
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v3');
  const logs = (await berth.api('GET', `/api/v1/deployments/${r.id}/logs`)).body.items as { message: string }[];
  expect(logs.map((l) => l.message).join('\n')).toMatch(/no route-only switch to the standby: standby .* failed its health check/);
});

test('a standby rollback whose route cannot be written is answered at once and takes the ordinary path, recorded once', async () => {
  // Live: v3 (the rollback above); standby: v2. The saved previous route is made immutable, so
  // the switch's write fails on every attempt (root ignores file modes, not this attribute).
  const channel = await berth.api('POST', '/api/v1/notification-channels', { name: 'queued', destination: { kind: 'webhook', url: hooks.url('/queued') }, subscriptions: [{ events: ['deploy.queued'] }] });
  expect(channel.status, JSON.stringify(channel.body)).toBe(201);
  const saved = previousRoutePath(berth.config.traefik.routesDir, berth.config.instance, fx.environmentId);
  execFileSync('/usr/bin/chattr', ['+i', saved]);
  let rollback;
  const started = Date.now();
  try {
    rollback = await berth.api('POST', `${fx.base}/rollback`, {});
  } finally {
    execFileSync('/usr/bin/chattr', ['-i', saved]);
  }
  expect(rollback.status, JSON.stringify(rollback.body)).toBe(202);
  // Not after the record's retries ran out (over a minute): the first failed write decides.
  expect(Date.now() - started).toBeLessThan(15_000);
  const r = await waitForDeployment(berth, rollback.body.deploymentId);
  expect(r.status, r.message).toBe('succeeded');
  expect(r.workflowId).toBe(`deploy-${r.id}`);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');
  const logs = (await berth.api('GET', `/api/v1/deployments/${r.id}/logs`)).body.items as { message: string }[];
  expect(logs.map((l) => l.message).join('\n')).toMatch(/no route-only switch to the standby: the route could not be written/);
  const list = (await berth.api('GET', `${fx.base}/deployments`)).body.items as { id: string }[];
  expect(list.filter((d) => d.id === r.id).length).toBe(1);
  // One deploy.queued for it, though the request was recorded by the switch's activity.
  const queuedNotices = () => hooks.accepted('/queued').filter((q) => q.body.includes(r.id));
  await waitFor('the deploy.queued notice', async () => queuedNotices().length > 0, 10_000);
  await new Promise((done) => setTimeout(done, 500));
  expect(queuedNotices().length).toBe(1);
});

test('after its window the standby release is stopped by reconcile', async () => {
  expect((await berth.api('PATCH', fx.base, { standbySeconds: 1 })).status).toBe(200);
  v4 = await deploy(berth, fx, tags.v1);
  expect((await waitForDeployment(berth, v4)).status).toBe('succeeded');
  const running = async () => (await berth.containers(fx.environmentId)).filter((c) => c.State === 'running').map((c) => c.Labels['berth.deployment']);
  // v3 (live before v4) waits in standby; the others are stopped by this deploy.
  expect((await running()).length).toBe(2);
  await new Promise((r) => setTimeout(r, 1500));
  await reconcile();
  expect(await running()).toEqual([v4]);
});

test('a confirmation cancelled while a probe hangs (its attempt timed out) leaves the route to the retry', async () => {
  // The lane's confirmation task, run as an activity against a routes directory of its own and
  // an entrypoint that accepts and never answers: one probe outlasts any heartbeat timeout.
  // When the attempt is cancelled the next one may already have made the release live, so the
  // previous route must stay where it is (it used to be written back).
  const dir = mkdtempSync(join(tmpdir(), 'berth-standby-cancel-'));
  const sockets: Socket[] = [];
  const silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  try {
    const files = createRouteFiles(dir, berth.config.instance);
    const [row] = await berth.database.db.select({ releaseId: deployments.releaseId }).from(deployments).where(eq(deployments.id, v4));
    const route = { environmentId: fx.environmentId, deploymentId: v4, hosts: [fx.host], servers: ['http://127.0.0.1:9'] };
    await files.savePrevious(fx.environmentId, { deploymentId: v4, previous: { ...route, deploymentId: v3 } });
    await files.write(route);
    const { port } = silent.address() as { port: number };
    const { switchToStandby } = createStandbySwitch({
      db: berth.database.db,
      files,
      apply: async (_env, r) => (r ? files.write(r) : files.remove(fx.environmentId)),
      entryFor: () => `http://127.0.0.1:${port}`,
      liveTimeoutMs: 20_000,
      log: createLogger({ level: 'silent', format: 'json' }),
    });
    const request = { deploymentId: v4, environmentId: fx.environmentId, releaseId: row?.releaseId, hosts: [fx.host], standbySeconds: 0 } as unknown as DeployRequest;
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const now = Date.now();
    const run = env.run(switchToStandby, { request, prior: { started: now, checked: now, written: now } });
    await waitFor('the probe to reach the entrypoint', async () => sockets.length > 0, 10_000);
    // It beats while the probe hangs (5 s, the app's check timeout), not only between probes.
    const before = beats.length;
    await new Promise((done) => setTimeout(done, 1500));
    expect(sockets.length).toBe(1);
    expect(beats.length).toBeGreaterThan(before);
    env.cancel();
    await expect(run).rejects.toThrow();
    expect((await files.read(fx.environmentId))?.deploymentId).toBe(v4);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
