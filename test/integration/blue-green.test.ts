// Blue-green against real Traefik and Docker: the new release answers on its preview host name
// (next.<host>) while the environment's host still serves the live release, then one switch
// under a steady loopback load that sees no failed request; a release failing its check on the
// preview host name never takes traffic (its containers removed, the preview route gone); bad
// strategies are refused with nothing queued.
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/bg:v1', v2: 'berth-test/bg:v2', v3: 'berth-test/bg:v3-refuses-preview' };
const services = inject('services');
let berth: TestBerth;
let fx: AppFixture;

type Phase = { phase: string; outcome: string; message: string | null; startedAt: string; endedAt: string };
const phaseOf = (d: { phases: Phase[] }, name: string) => d.phases.find((p) => p.phase === name);
const deployBlueGreen = async (image: string) => {
  const res = await berth.api('POST', `${fx.base}/deployments`, { image, strategy: 'blue-green' });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.deploymentId as string;
};

/** Samples both host names side by side until stopped: what each answered at the same moment. */
function sampleBoth(main: string, preview: string) {
  const samples: { main: string; preview: string }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const [p, m] = await Promise.all([throughTraefik(preview), throughTraefik(main)]);
      samples.push({ preview: p.ok ? p.body.trim() : `HTTP ${p.status}`, main: m.ok ? m.body.trim() : `HTTP ${m.status}` });
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  buildHello(tags.v3, { version: 'v3', refuseHost: 'next.' });
  berth = await startBerth();
  fx = await createImageApp(berth, { app: 'bluegreen', healthCheck: { path: '/cgi-bin/host-check', intervalMs: 100, startPeriodMs: 500 }, environment: { drainSeconds: 1 } });
  const first = await waitForDeployment(berth, await deploy(berth, fx, tags.v1));
  expect(first.status, first.message).toBe('succeeded');
});

afterAll(async () => {
  await berth?.close();
  removeImages(...Object.values(tags));
});

test('the new release answers on next.<host> before the one switch, with no failed request', async () => {
  const preview = `next.${fx.host}`;
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v1', 'v2'] });
  const sampler = sampleBoth(fx.host, preview);
  const d = await waitForDeployment(berth, await deployBlueGreen(tags.v2));
  await new Promise((r) => setTimeout(r, 300));
  const [samples, result] = await Promise.all([sampler.stop(), load.stop()]);

  expect(d.status, d.message).toBe('succeeded');
  const previewPhase = phaseOf(d, 'preview') as Phase;
  expect(previewPhase.outcome).toBe('succeeded');
  expect(previewPhase.message).toMatch(new RegExp(`^${preview.replace(/\./g, '\\.')} answered from the new release \\(1 server\\(s\\)\\) in \\d+ ms$`));
  // Preview, then the switch.
  expect(Date.parse(previewPhase.endedAt)).toBeLessThanOrEqual(Date.parse((phaseOf(d, 'route') as Phase).startedAt));
  // At some moment the preview host answered v2 while the environment's host still answered v1.
  expect(samples.some((s) => s.preview === 'v2' && s.main === 'v1'), JSON.stringify(samples.slice(0, 40))).toBe(true);
  // Never the other way round: the main host name moved only after the preview answered.
  const firstMainV2 = samples.findIndex((s) => s.main === 'v2');
  const firstPreviewV2 = samples.findIndex((s) => s.preview === 'v2');
  expect(firstPreviewV2).toBeGreaterThanOrEqual(0);
  expect(firstMainV2 === -1 || firstPreviewV2 < firstMainV2).toBe(true);

  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('v1') ?? 0).toBeGreaterThan(0);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');
  // After the switch the preview route is gone: Traefik has no router for the preview host name.
  expect((await throughTraefik(preview)).status).toBe(404);
  console.log(`blue-green: ${previewPhase.message}; ${samples.length} samples; load: ${result.sent} sent, ${result.failed} failed, v1 ${result.bodies.get('v1')}, v2 ${result.bodies.get('v2') ?? 0}`);
});

test('a release failing its check on the preview host name never takes traffic', async () => {
  const live = (await berth.api('GET', fx.base)).body.liveDeploymentId;
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v2'] });
  const id = await deployBlueGreen(tags.v3);
  const d = await waitForDeployment(berth, id);
  const result = await load.stop();

  expect(d.status, d.message).toBe('failed');
  expect(d.errorType).toBe('RouteVerificationFailed');
  expect(d.message).toContain(`next.${fx.host}/cgi-bin/host-check answered HTTP 421`);
  expect(phaseOf(d, 'preview')?.outcome).toBe('failed');
  // The switch never ran.
  expect(phaseOf(d, 'route')).toBeUndefined();
  // Every answer of the environment's host came from v2, before, during and after.
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('v2')).toBe(result.ok);
  expect((await berth.api('GET', fx.base)).body.liveDeploymentId).toBe(live);
  expect((await throughTraefik(`next.${fx.host}`)).status).toBe(404);
  const containers = await berth.containers(fx.environmentId);
  expect(containers.filter((c) => c.Labels['berth.deployment'] === id)).toEqual([]);
});

test('bad strategies are refused and nothing is queued', async () => {
  const before = (await berth.api('GET', `${fx.base}/deployments`)).body;
  for (const bad of [
    { image: tags.v2, strategy: 'blue-grn' },
    { image: tags.v2, strategy: 'blue-green', canary: { steps: [10] } },
  ]) {
    const res = await berth.api('POST', `${fx.base}/deployments`, bad);
    expect(res.status, JSON.stringify(bad)).toBe(400);
    expect(res.body.error.type).toBe('ValidationFailed');
  }
  expect((await berth.api('GET', `${fx.base}/deployments`)).body).toEqual(before);
});
