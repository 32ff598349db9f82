// The post-switch watch against real Traefik (its per-service metrics) and Docker: a release
// that turns unhealthy about 5 s after its switch is rolled back by the watch alone, under a
// steady loopback load that sees no failed request, and the deployment ends rolled-back with
// the figures; a healthy release is watched and goes on; the settings are validated.
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/watch:v1', v2: 'berth-test/watch:v2-sours', v3: 'berth-test/watch:v3' };
const services = inject('services');
let berth: TestBerth;
let fx: AppFixture;

type Phase = { phase: string; outcome: string; message: string | null; startedAt: string; endedAt: string };
const phaseOf = (d: { phases: Phase[] }, name: string) => d.phases.find((p) => p.phase === name);

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  // Health gate passed, switched about a second after it listens: unhealthy ~5 s after the switch.
  buildHello(tags.v2, { version: 'v2', unhealthyAfter: 6 });
  buildHello(tags.v3, { version: 'v3' });
  berth = await startBerth();
  fx = await createImageApp(berth, {
    app: 'watched',
    healthCheck: { intervalMs: 100, startPeriodMs: 500 },
    environment: { drainSeconds: 1, watch: { seconds: 20, failedProbes: 3 } },
  });
});

afterAll(async () => {
  await berth?.close();
  removeImages(...Object.values(tags));
});

test('the settings: the environment’s own over the installation’s defaults, bad ones refused', async () => {
  const env = await berth.api('GET', fx.base);
  expect(env.body.watch).toEqual({ seconds: 20, maxErrorRatio: 0.05, maxP95Ms: 2000, failedProbes: 3 });
  expect(env.body.standbySeconds).toBe(0);
  for (const bad of [{ watch: { maxErrorRatio: 2 } }, { watch: { seconds: -1 } }, { watch: { seconds: 5, other: 1 } }, { watch: 'on' }]) {
    const res = await berth.api('PATCH', fx.base, bad);
    expect(res.status, JSON.stringify(bad)).toBe(400);
    expect(res.body.error.type).toBe('ValidationFailed');
  }
  expect((await berth.api('GET', fx.base)).body.watch).toEqual(env.body.watch);
});

test('a first deploy has nothing to go back to: its watch is skipped', async () => {
  const d = await waitForDeployment(berth, await deploy(berth, fx, tags.v1));
  expect(d.status, d.message).toBe('succeeded');
  expect(phaseOf(d, 'watch')).toMatchObject({ outcome: 'skipped', message: 'no previous release to go back to' });
});

test('a release that turns unhealthy after its switch is rolled back by the watch, with no failed request', async () => {
  const v1 = (await berth.api('GET', fx.base)).body.liveDeploymentId;
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 10_000, maxMs: 90_000, acceptBodies: ['v1', 'v2'] });
  const id = await deploy(berth, fx, tags.v2);
  const d = await waitForDeployment(berth, id, 90_000);
  // Answers keep coming from v1 after the way back.
  await new Promise((r) => setTimeout(r, 500));
  const result = await load.stop();

  expect(d.status, d.message).toBe('rolled-back');
  expect(d.errorType).toBe('WatchThresholdCrossed');
  expect(d.message).toMatch(/^rolled back to release 1: 3 health probes failed in a row \(\/healthz HTTP 404\); Traefik's metrics: \d+ requests, 5xx 0 /);
  const route = phaseOf(d, 'route') as Phase;
  const watch = phaseOf(d, 'watch') as Phase;
  expect(watch.outcome).toBe('failed');
  const afterSwitch = (Date.parse(watch.endedAt) - Date.parse(route.endedAt)) / 1000;
  // Unhealthy ~5 s after the switch, three failed probes 0.5 s apart: well before the 20 s watch ends.
  expect(afterSwitch).toBeGreaterThan(3);
  expect(afterSwitch).toBeLessThan(12);

  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
  const env = await berth.api('GET', fx.base);
  expect(env.body.liveDeploymentId).toBe(v1);
  const containers = await berth.containers(fx.environmentId);
  expect(containers.filter((c) => c.Labels['berth.deployment'] === id)).toEqual([]);
  expect(containers.find((c) => c.Labels['berth.deployment'] === v1)?.State).toBe('running');

  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('v2') ?? 0).toBeGreaterThan(0);
  expect(result.bodies.get('v1') ?? 0).toBeGreaterThan(0);
  console.log(`${d.message}\nwatch rolled back ${afterSwitch.toFixed(1)} s after the switch; load: ${result.sent} sent, ${result.failed} failed, v1 ${result.bodies.get('v1')}, v2 ${result.bodies.get('v2')}`);
});

test('a healthy release is watched on Traefik’s metrics and goes on', async () => {
  expect((await berth.api('PATCH', fx.base, { watch: { seconds: 3 } })).status).toBe(200);
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v1', 'v3'] });
  const d = await waitForDeployment(berth, await deploy(berth, fx, tags.v3));
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  const watch = phaseOf(d, 'watch') as Phase;
  expect(watch.outcome).toBe('succeeded');
  const requests = Number(/Traefik's metrics: (\d+) requests, 5xx 0 \(0\.0 %\), p95 \d+ ms/.exec(watch.message ?? '')?.[1]);
  // 50 requests/s for 3 s, counted by Traefik for the new release's service alone.
  expect(requests).toBeGreaterThan(100);
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v3');
  // Back to the installation's defaults.
  expect((await berth.api('PATCH', fx.base, { watch: null })).body.watch.seconds).toBe(0);
});
