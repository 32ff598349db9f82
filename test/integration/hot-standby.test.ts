// The hot standby: after a deploy the previous release keeps running for the environment's
// window; reconcile leaves it running inside the window and stops it after; a rollback inside
// the window starts no container — it reuses the running one, and the switch of the route is
// all that changes what answers.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/standby:v1', v2: 'berth-test/standby:v2', v3: 'berth-test/standby:v3' };
let berth: TestBerth;
let fx: AppFixture;

beforeAll(async () => {
  for (const [v, tag] of Object.entries(tags)) buildHello(tag, { version: v });
  berth = await startBerth();
  fx = await createImageApp(berth, { app: 'standby', healthCheck: { intervalMs: 100, startPeriodMs: 500 }, environment: { standbySeconds: 120 } });
});

afterAll(async () => {
  await berth?.close();
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

  const before = await snapshot();
  const states = [...before.values()].map(([dep, state]) => [dep, state]);
  expect(states).toEqual(expect.arrayContaining([[v1, 'running'], [v2, 'running']]));
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');

  const rollback = await berth.api('POST', `${fx.base}/rollback`, {});
  expect(rollback.status).toBe(202);
  const r = await waitForDeployment(berth, rollback.body.deploymentId);
  expect(r.status, r.message).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
  expect(r.phases.find((p: { phase: string }) => p.phase === 'create')).toMatchObject({ outcome: 'skipped' });

  // No container made, none started: the same containers, the same start times; v2 now waits in standby.
  const after = await snapshot();
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [id, [dep, , startedAt]] of before) expect(after.get(id)?.[2], `${dep} started again`).toBe(startedAt);
  expect([...after.values()].map(([dep, state]) => [dep, state])).toEqual(expect.arrayContaining([[v1, 'running'], [v2, 'running']]));
});

test('after its window the standby release is stopped by reconcile', async () => {
  expect((await berth.api('PATCH', fx.base, { standbySeconds: 1 })).status).toBe(200);
  const v3 = await deploy(berth, fx, tags.v3);
  expect((await waitForDeployment(berth, v3)).status).toBe('succeeded');
  const running = async () => (await berth.containers(fx.environmentId)).filter((c) => c.State === 'running').map((c) => c.Labels['berth.deployment']);
  // v1 (live before v3) waits in standby; v2's earlier standby ended with this deploy.
  expect((await running()).length).toBe(2);
  await new Promise((r) => setTimeout(r, 1500));
  await reconcile();
  expect(await running()).toEqual([v3]);
});
