// A stack's canary and blue-green (workflows/stack-strategies.ts) on the real Docker Swarm,
// Traefik and Temporal, with a stack of an exposed web and a worker that is not exposed, under a
// steady loopback load: a canary from 0 to 100 % with no failed request and each step's share of
// the web's answers within 5 points of its weight and users kept on one version by the sticky
// cookie; a web answering 5xx on ~20 % of its requests
// aborted by the analysis, traffic back on stable and every service as before; a blue-green
// deploy whose web answers on next.<host> before the one switch; a preview refused by the new
// web never takes traffic; abort, cancel and promote by hand; two exposed services split together.
// A strategy on a stack with nothing exposed is a 400 that queues nothing.
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { LABEL } from '../../src/domain/labels.js';
import { stackNamespace } from '../../src/domain/stack.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { createStackApp, setVariables, type StackFixture } from '../support/stack-fixtures.js';
import { swarmObjects } from '../support/swarm.js';
import { answerOf, sampleAnswers, sampleBoth } from '../support/split-samples.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const services = inject('services');
const tags = {
  w1: 'berth-test/sst-web:1',
  w2: 'berth-test/sst-web:2',
  wFlaky: 'berth-test/sst-web:3-flaky',
  w4: 'berth-test/sst-web:4',
  wRefuses: 'berth-test/sst-web:5-refuses-preview',
  k1: 'berth-test/sst-worker:1',
  k2: 'berth-test/sst-worker:2',
};
// The web's route is confirmed on /cgi-bin/host-check: "ok", unless the image refuses the host.
const COMPOSE = `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    x-berth: { port: 8080, path: /cgi-bin/host-check }
  worker:
    image: \${WORKER_IMAGE:?set WORKER_IMAGE}
`;
let berth: TestBerth;
let fx: StackFixture;

type Phase = { phase: string; outcome: string; message: string | null; startedAt: string; endedAt: string };
type Deployment = { status: string; message: string; errorType: string | null; releaseId: string; phases: Phase[]; services: { service: string; phases: Phase[] }[] };
type State = { step: number; weight: number; weights: number[]; paused: boolean; outcome: string };
const phaseOf = (d: { phases: Phase[] }, name: string) => d.phases.find((p) => p.phase === name);
const servicePhase = (d: Deployment, service: string, name: string) => d.services.find((s) => s.service === service)?.phases.find((p) => p.phase === name);
const web = (host = fx.host) => answerOf(host);
const env = async () => (await berth.api('GET', fx.base)).body as { liveReleaseId: string; liveDeploymentId: string };
const canaryOf = (id: string) => berth.api<State>('GET', `/api/v1/deployments/${id}/canary`);
const act = (id: string, action: string) => berth.api<State>('POST', `/api/v1/deployments/${id}/canary/${action}`);
const atWeight = (id: string, weight: number) =>
  waitFor(`canary of ${id} at ${weight} %`, async () => {
    const res = await canaryOf(id);
    return res.status === 200 && res.body.weight === weight && res.body.step > 0 ? res.body : undefined;
  }, 90_000, 20);

/** Each compose service's images as Swarm runs them (the web: one per Swarm service of its specs). */
async function serviceImages(): Promise<Record<string, string[]>> {
  const { services: list } = await swarmObjects(berth.docker, berth.config.instance, { [LABEL.stack]: stackNamespace(fx.environmentId) });
  const out: Record<string, string[]> = {};
  for (const s of list) (out[s.labels[LABEL.service] as string] ??= []).push(s.image);
  for (const images of Object.values(out)) images.sort();
  return out;
}

async function deployWith(webImage: string, workerImage: string, body: Record<string, unknown> = {}): Promise<string> {
  await setVariables(berth, fx.base, { WEB_IMAGE: webImage, WORKER_IMAGE: workerImage });
  const res = await berth.api('POST', `${fx.base}/deployments`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.deploymentId as string;
}

const sample = (n: number, path = '/', headers: Record<string, string> = {}) => sampleAnswers(fx.host, n, path, headers);

beforeAll(async () => {
  buildHello(tags.w1, { version: 'w1' });
  buildHello(tags.w2, { version: 'w2' });
  buildHello(tags.wFlaky, { version: 'w3', errorPercent: 20 });
  buildHello(tags.w4, { version: 'w4' });
  buildHello(tags.wRefuses, { version: 'w5', refuseHost: 'next.' });
  buildHello(tags.k1, { version: 'k1' });
  buildHello(tags.k2, { version: 'k2' });
  berth = await startBerth();
  fx = await createStackApp(berth, { app: 'sst', compose: COMPOSE, environment: { watch: { seconds: 0 } } });
}, 180_000);

afterAll(async () => {
  await berth?.close();
  removeImages(...Object.values(tags));
});

test('a strategy on a stack with no exposed service is a 400 that queues nothing; the setting is a stack’s too', async () => {
  const none = await createStackApp(berth, { app: 'sstnone', compose: 'services:\n  worker:\n    image: nginx\n' });
  for (const body of [{ strategy: 'canary' }, { strategy: 'blue-green' }, { canary: { steps: [10] } }]) {
    const res = await berth.api('POST', `${none.base}/deployments`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain('this stack has no long-running exposed service');
    expect(res.body.error.issues).toEqual([{ path: 'canary' in body ? 'canary' : 'strategy', message: 'no exposed service to move' }]);
  }
  expect((await berth.api('GET', `${none.base}/deployments`)).body.items).toEqual([]);
  const set = await berth.api('PATCH', none.base, { strategy: 'canary' });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  expect(set.body.strategy).toBe('canary');
});

test('a first deploy rolls out all at once', async () => {
  const d = await waitForDeployment(berth, await deployWith(tags.w1, tags.k1), 120_000);
  expect(d.status, d.message).toBe('succeeded');
  expect(await web()).toBe('w1');
});

test('a stack canary from 0 to 100 %: each step’s share of the web within 5 points of its weight, no failed request', async () => {
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 20_000, maxMs: 150_000, acceptBodies: ['w1', 'w2'] });
  const id = await deployWith(tags.w2, tags.k2, { canary: { steps: [20, 60], stepSeconds: 3 } });
  const shares: string[] = [];
  for (const weight of [20, 60]) {
    await atWeight(id, weight);
    expect((await act(id, 'pause')).body.paused).toBe(true);
    const bodies = await sample(400);
    const share = (100 * (bodies.get('w2') ?? 0)) / 400;
    shares.push(`${weight} % → ${share.toFixed(1)} %`);
    expect((bodies.get('w1') ?? 0) + (bodies.get('w2') ?? 0), JSON.stringify([...bodies])).toBe(400);
    expect(Math.abs(share - weight), `step at ${weight} %: ${share} % from the canary`).toBeLessThanOrEqual(5);
    // A user who got a version keeps it: the sticky cookie names it.
    const [cookie] = [...bodies.cookies];
    expect(cookie).toBeDefined();
    expect((await sample(40, '/', { cookie: cookie as string })).size).toBe(1);
    expect((await act(id, 'resume')).body.paused).toBe(false);
  }
  const d = (await waitForDeployment(berth, id, 120_000)) as Deployment;
  await new Promise((r) => setTimeout(r, 300));
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(phaseOf(d, 'canary')?.message).toMatch(/^passed 2 step\(s\) \(20, 60 %\)/);
  // The web's route moved after the canary, and the worker (not exposed) was updated in place.
  expect(Date.parse(servicePhase(d, 'web', 'route')?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(phaseOf(d, 'canary')?.endedAt ?? ''));
  expect(phaseOf(d, 'verify')?.outcome).toBe('succeeded');
  expect(await web()).toBe('w2');
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('w1') ?? 0).toBeGreaterThan(0);
  expect(result.bodies.get('w2') ?? 0).toBeGreaterThan(0);
  console.log(`stack canary shares: ${shares.join(', ')}; load: ${result.sent} sent, ${result.failed} failed, w1 ${result.bodies.get('w1')}, w2 ${result.bodies.get('w2')}`);
}, 240_000);

test('a stack canary answering 5xx on ~20 % is aborted by the analysis: traffic back on stable, every service as before', async () => {
  const before = await env();
  const images = await serviceImages();
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, path: '/cgi-bin/answer', ratePerSecond: 60, maxRequests: 20_000, maxMs: 150_000 });
  const started = Date.now();
  const id = await deployWith(tags.wFlaky, tags.k1, { canary: { steps: [50], stepSeconds: 60 } });
  const d = (await waitForDeployment(berth, id, 150_000)) as Deployment;
  const seconds = (Date.now() - started) / 1000;
  const result = await load.stop();
  expect(d.status, d.message).toBe('failed');
  expect(d.errorType).toBe('CanaryAborted');
  expect(d.message).toMatch(/^canary aborted at step 1\/1 \(50 %\): analysis: web: canary 5xx ratio \d+\.\d % against 0\.0 % for stable \(more than \+5\.0 %\); web: canary \d+ requests, 5xx \d+/);
  expect(servicePhase(d, 'web', 'route')).toBeUndefined();
  expect(phaseOf(d, 'revert')?.outcome).toBe('succeeded');
  expect(Object.fromEntries(await sample(100, '/cgi-bin/answer'))).toEqual({ w2: 100 });
  expect(await env()).toEqual(expect.objectContaining({ liveReleaseId: before.liveReleaseId, liveDeploymentId: before.liveDeploymentId }));
  // The flaky web's Swarm service is gone, the worker is back on k2.
  expect(await serviceImages()).toEqual(images);
  console.log(`${d.message}\nstack canary aborted ${seconds.toFixed(1)} s after the deploy call; load: ${result.sent} sent, ${result.failed} 5xx or failed`);
}, 240_000);

test('a stack blue-green deploy: the new web answers on next.<host> before the one switch, with no failed request', async () => {
  const preview = `next.${fx.host}`;
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 20_000, maxMs: 150_000, acceptBodies: ['w2', 'w4'] });
  const sampler = sampleBoth(fx.host, preview);
  const d = (await waitForDeployment(berth, await deployWith(tags.w4, tags.k1, { strategy: 'blue-green' }), 150_000)) as Deployment;
  const samples = await sampler.stop();
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(phaseOf(d, 'preview')).toMatchObject({ outcome: 'succeeded', message: `answered from the new release: web on ${preview}` });
  expect(servicePhase(d, 'web', 'preview')?.message).toMatch(new RegExp(`^${preview.replace(/\./g, '\\.')} answered from the new release \\(1 server\\(s\\)\\) in \\d+ ms$`));
  expect(Date.parse(servicePhase(d, 'web', 'preview')?.endedAt ?? '')).toBeLessThanOrEqual(Date.parse(servicePhase(d, 'web', 'route')?.startedAt ?? ''));
  // At some moment the preview answered w4 while the web's host name still answered w2; never the other way round.
  expect(samples.some((s) => s.preview === 'w4' && s.main === 'w2'), JSON.stringify(samples.slice(0, 40))).toBe(true);
  const firstMainW4 = samples.findIndex((s) => s.main === 'w4');
  const firstPreviewW4 = samples.findIndex((s) => s.preview === 'w4');
  expect(firstPreviewW4).toBeGreaterThanOrEqual(0);
  if (firstMainW4 >= 0) expect(firstPreviewW4).toBeLessThan(firstMainW4);
  expect(await web()).toBe('w4');
  expect(await web(preview)).toBe('HTTP 404');
  expect(result.failed, result.failures.join('\n')).toBe(0);
  console.log(`stack blue-green: ${servicePhase(d, 'web', 'preview')?.message}; ${samples.length} samples; load: ${result.sent} sent, ${result.failed} failed`);
}, 240_000);

test('a preview the new web refuses never takes traffic: every service as before', async () => {
  const before = await env();
  const images = await serviceImages();
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 20_000, maxMs: 150_000, acceptBodies: ['w4'] });
  const d = (await waitForDeployment(berth, await deployWith(tags.wRefuses, tags.k2, { strategy: 'blue-green' }), 150_000)) as Deployment;
  const result = await load.stop();
  expect(d.status, d.message).toBe('failed');
  expect(d.errorType).toBe('RouteVerificationFailed');
  expect(d.message).toContain(`next.${fx.host}/cgi-bin/host-check answered HTTP 421`);
  expect(servicePhase(d, 'web', 'route')).toBeUndefined();
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(await env()).toEqual(expect.objectContaining({ liveReleaseId: before.liveReleaseId, liveDeploymentId: before.liveDeploymentId }));
  expect(await web(`next.${fx.host}`)).toBe('HTTP 404');
  expect(await serviceImages()).toEqual(images);
}, 240_000);

test('abort and promote by hand, and a cancel mid-canary: the stable web serves until a promote', async () => {
  const before = await env();
  const images = await serviceImages();
  const slow = { canary: { steps: [30], stepSeconds: 120 } };
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 20_000, maxMs: 200_000, acceptBodies: ['w4', 'w2'] });

  const aborted = await deployWith(tags.w2, tags.k2, slow);
  await atWeight(aborted, 30);
  expect((await act(aborted, 'abort')).body.outcome).toBe('aborted');
  const a = (await waitForDeployment(berth, aborted, 120_000)) as Deployment;
  expect(a.status, a.message).toBe('failed');
  expect(a.errorType).toBe('CanaryAborted');
  expect(a.message).toBe(`canary aborted at step 1/1 (30 %): aborted by ${berth.admin.email}`);
  expect(Object.fromEntries(await sample(50))).toEqual({ w4: 50 });
  expect(await serviceImages()).toEqual(images);

  const cancelled = await deployWith(tags.w2, tags.k2, slow);
  await atWeight(cancelled, 30);
  expect((await berth.api('POST', `/api/v1/deployments/${cancelled}/cancel`)).status).toBe(202);
  const c = (await waitForDeployment(berth, cancelled, 120_000)) as Deployment;
  expect(c.status, c.message).toBe('cancelled');
  expect(Object.fromEntries(await sample(50))).toEqual({ w4: 50 });
  expect(await env()).toEqual(expect.objectContaining({ liveReleaseId: before.liveReleaseId, liveDeploymentId: before.liveDeploymentId }));
  expect(await serviceImages()).toEqual(images);

  const promoted = await deployWith(tags.w2, tags.k2, slow);
  await atWeight(promoted, 30);
  expect((await act(promoted, 'promote')).body.outcome).toBe('promoting');
  const p = (await waitForDeployment(berth, promoted, 120_000)) as Deployment;
  const result = await load.stop();
  expect(p.status, p.message).toBe('succeeded');
  expect(phaseOf(p, 'canary')?.message).toMatch(/^promoted at step 1\/1 \(30 %\)/);
  expect(await web()).toBe('w2');
  expect(result.failed, result.failures.join('\n')).toBe(0);
  console.log(`stack canary by hand: abort, cancel, promote; load: ${result.sent} sent, ${result.failed} failed, w4 ${result.bodies.get('w4')}, w2 ${result.bodies.get('w2') ?? 0}`);
}, 400_000);

test('two exposed services: both routes weighted at each step, each switched after', async () => {
  const two = await createStackApp(berth, {
    app: 'sst2',
    compose: `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    x-berth: { port: 8080, path: /cgi-bin/host-check, main: true }
  api:
    image: \${API_IMAGE:?set API_IMAGE}
    x-berth: { port: 8080, path: /cgi-bin/host-check }
`,
    environment: { watch: { seconds: 0 } },
    variables: { WEB_IMAGE: tags.w1, API_IMAGE: tags.k1 },
  });
  const first = await berth.api('POST', `${two.base}/deployments`, {});
  expect((await waitForDeployment(berth, first.body.deploymentId, 120_000)).status).toBe('succeeded');
  await setVariables(berth, two.base, { WEB_IMAGE: tags.w2, API_IMAGE: tags.k2 });
  const res = await berth.api('POST', `${two.base}/deployments`, { canary: { steps: [50], stepSeconds: 3 } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.deploymentId as string;
  await atWeight(id, 50);
  await act(id, 'pause');
  const shares: Record<string, number> = {};
  for (const [host, fresh] of [[two.host, 'w2'], [`api.${two.host}`, 'k2']] as const) {
    let n = 0;
    for (let i = 0; i < 100; i++) if ((await web(host)) === fresh) n++;
    shares[host] = n;
    expect(Math.abs(n - 50), `${host}: ${n} of 100 from the canary`).toBeLessThanOrEqual(5);
  }
  await act(id, 'resume');
  const d = (await waitForDeployment(berth, id, 120_000)) as Deployment;
  expect(d.status, d.message).toBe('succeeded');
  expect(servicePhase(d, 'web', 'route')?.outcome).toBe('succeeded');
  expect(servicePhase(d, 'api', 'route')?.outcome).toBe('succeeded');
  expect(await web(two.host)).toBe('w2');
  expect(await web(`api.${two.host}`)).toBe('k2');
  console.log(`two exposed services at 50 %: ${JSON.stringify(shares)}`);
}, 300_000);
