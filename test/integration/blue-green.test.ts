// Blue-green against real Traefik and Docker: the new release answers on its preview host name
// (next.<host>) while the environment's host still serves the live release, then one switch
// under a steady loopback load that sees no failed request; a release failing its check on the
// preview host name never takes traffic (its containers removed, the preview route gone); bad
// strategies (a canary for a static site, a misspelt one) are refused with nothing queued.
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { createStackApp } from '../support/stack-fixtures.js';
import { createStaticApp } from '../support/static-sites.js';
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

test('an environment whose strategy is blue-green deploys blue-green unless a deploy names another', async () => {
  const set = await berth.api('PATCH', fx.base, { strategy: 'blue-green' });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  expect(set.body.strategy).toBe('blue-green');
  expect(set.body.settingSources.strategy).toEqual({ level: 'environment', environment: 'prod' });
  // Inherited like the other settings: a child environment takes it from its parent.
  const child = await berth.api('POST', `/api/v1/apps/${fx.app}/environments`, { name: 'child', parent: 'prod' });
  expect(child.status, JSON.stringify(child.body)).toBe(201);
  expect(child.body.strategy).toBe('blue-green');
  expect(child.body.settingSources.strategy).toEqual({ level: 'environment', environment: 'prod' });

  const bg = await waitForDeployment(berth, await deploy(berth, fx, tags.v1));
  expect(bg.status, bg.message).toBe('succeeded');
  expect(phaseOf(bg, 'preview')?.outcome).toBe('succeeded');
  expect(Date.parse((phaseOf(bg, 'preview') as Phase).endedAt)).toBeLessThanOrEqual(Date.parse((phaseOf(bg, 'route') as Phase).startedAt));
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');

  // The deploy's own strategy wins: one switch, no preview.
  const own = await berth.api('POST', `${fx.base}/deployments`, { image: tags.v2, strategy: 'all-at-once' });
  expect(own.status, JSON.stringify(own.body)).toBe(202);
  const plain = await waitForDeployment(berth, own.body.deploymentId);
  expect(plain.status, plain.message).toBe('succeeded');
  expect(phaseOf(plain, 'preview')).toBeUndefined();
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');

  const back = await berth.api('PATCH', fx.base, { strategy: null });
  expect(back.body.strategy).toBe('all-at-once');
  expect(back.body.settingSources.strategy).toEqual({ level: 'default', environment: null });
  expect((await berth.api('DELETE', `/api/v1/apps/${fx.app}/environments/child?confirm=child`)).status).toBe(200);
});

test('every kind takes every strategy; a misspelt one is a 400 that changes nothing', async () => {
  // A static site runs a canary too (test/integration/static-canary.test.ts).
  const site = await createStaticApp(berth, { app: 'bgstatic' });
  const patched = await berth.api('PATCH', site.base, { strategy: 'canary' });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  expect(patched.body.strategy).toBe('canary');
  expect((await berth.api('POST', '/api/v1/apps/bgstatic/environments', { name: 'other', strategy: 'canary' })).status).toBe(201);
  expect((await berth.api('DELETE', '/api/v1/apps/bgstatic/environments/other?confirm=other')).status).toBe(200);
  const misspeltStatic = await berth.api('PATCH', site.base, { strategy: 'canari', retention: 2 });
  expect(misspeltStatic.status).toBe(400);
  expect((await berth.api('GET', site.base)).body.strategy).toBe('canary');
  // All at once is every kind's, and a stack takes both strategies (test/integration/stack-strategies.test.ts).
  expect((await berth.api('PATCH', site.base, { strategy: 'all-at-once' })).status).toBe(200);
  const stack = await createStackApp(berth, { app: 'bgstack', compose: 'services:\n  web:\n    image: nginx\n    x-berth: { port: 80, main: true }\n' });
  for (const strategy of ['blue-green', 'canary']) expect((await berth.api('PATCH', stack.base, { strategy })).status).toBe(200);

  const image = (await berth.api('GET', fx.base)).body;
  const misspelt = await berth.api('PATCH', fx.base, { strategy: 'blue-grn', retention: 2 });
  expect(misspelt.status).toBe(400);
  expect(misspelt.body.error.type).toBe('ValidationFailed');
  expect((await berth.api('GET', fx.base)).body).toEqual(image);
});
