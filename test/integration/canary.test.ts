// Canary releases against real Traefik, Docker and Temporal, under a steady loopback load: a
// canary from 0 to 100 % with no failed request, each step's share of answers within 5 points
// of its weight, testers reaching it by header or cookie first and users kept on one version by the
// sticky cookie; a canary answering 5xx on ~20 % of its requests aborted by the analysis alone,
// traffic back on stable; promote, pause, resume and abort through the API; a worker killed
// mid-canary resumes at the same step with the same weights; with no worker at all, the
// canary's and the lane's state answer 503 after 5 s rather than hanging.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { sampleAnswers } from '../support/split-samples.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/canary:v1', v2: 'berth-test/canary:v2', v3: 'berth-test/canary:v3-flaky', v4: 'berth-test/canary:v4', v5: 'berth-test/canary:v5', v6: 'berth-test/canary:v6' };
const services = inject('services');
let berth: TestBerth;
let worker: ChildProcess | null = null;
let fx: AppFixture;

type Phase = { phase: string; outcome: string; message: string | null };
type State = { step: number; weight: number; weights: number[]; paused: boolean; outcome: string; reason: string | null; remainingMs: number };

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  buildHello(tags.v3, { version: 'v3', errorPercent: 20 });
  buildHello(tags.v4, { version: 'v4' });
  buildHello(tags.v5, { version: 'v5' });
  buildHello(tags.v6, { version: 'v6' });
  berth = await startBerth({ workers: false });
  worker = await berth.spawnWorker();
  fx = await createImageApp(berth, {
    app: 'canaried',
    healthCheck: { intervalMs: 100, startPeriodMs: 500 },
    environment: { drainSeconds: 1, watch: { seconds: 0 }, canary: { steps: [10, 50], stepSeconds: 3, header: { name: 'X-Canary', value: 'testers' }, cookie: { name: 'beta', value: 'on' } } },
  });
}, 120_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  await berth?.close();
  removeImages(...Object.values(tags));
});

const deployWith = async (image: string, extra: Record<string, unknown> = {}) => {
  const res = await berth.api('POST', `${fx.base}/deployments`, { image, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.deploymentId as string;
};
const canaryOf = (id: string) => berth.api<State>('GET', `/api/v1/deployments/${id}/canary`);
const act = (id: string, action: string, body?: unknown) => berth.api<State>('POST', `/api/v1/deployments/${id}/canary/${action}`, body);
/** Waits until the canary of `id` is at `weight` %. */
const atWeight = (id: string, weight: number, timeoutMs = 30_000) =>
  waitFor(`canary of ${id} at ${weight} %`, async () => {
    const res = await canaryOf(id);
    return res.status === 200 && res.body.weight === weight && res.body.step > 0 ? res.body : undefined;
  }, timeoutMs, 20);

/** `n` GETs of the app through Traefik with these headers: body → count, and the cookies set. */
async function sample(n: number, headers: Record<string, string> = {}, path = '/') {
  const bodies = await sampleAnswers(fx.host, n, path, headers);
  return { bodies, cookies: bodies.cookies };
}

test('the settings: the environment’s canary as deploys use it; bad ones refused, nothing changed', async () => {
  const env = await berth.api('GET', fx.base);
  expect(env.body.canary).toEqual({ steps: [10, 50], stepSeconds: 3, maxErrorRatioIncrease: 0.05, maxP95Ms: 2000, header: { name: 'X-Canary', value: 'testers' }, cookie: { name: 'beta', value: 'on' } });
  for (const bad of [
    { canary: { steps: [50, 10] } },
    { canary: { steps: [0] } },
    { canary: { steps: [100] } },
    { canary: { stepSeconds: 0 } },
    { canary: { header: { name: 'X`) || Host(`evil', value: '1' } } },
    { canary: { cookie: { name: 'beta', value: 'a b' } } },
    { canary: { other: 1 } },
    { canary: 'on' },
  ]) {
    const res = await berth.api('PATCH', fx.base, bad);
    expect(res.status, JSON.stringify(bad)).toBe(400);
    expect(res.body.error.type).toBe('ValidationFailed');
  }
  const bodies = [{ image: tags.v1, strategy: 'sideways' }, { image: tags.v1, strategy: 'all-at-once', canary: { steps: [10] } }, { image: tags.v1, canary: { steps: [] } }];
  for (const bad of bodies) expect((await berth.api('POST', `${fx.base}/deployments`, bad)).status, JSON.stringify(bad)).toBe(400);
  expect((await berth.api('GET', fx.base)).body.canary).toEqual(env.body.canary);
  expect((await berth.api('GET', `${fx.base}/deployments`)).body.items).toEqual([]);
});

test('a first deploy has no stable release beside it: its canary is skipped', async () => {
  const d = await waitForDeployment(berth, await deployWith(tags.v1));
  expect(d.status, d.message).toBe('succeeded');
  expect((d.phases as Phase[]).find((p) => p.phase === 'canary')).toMatchObject({ outcome: 'skipped', message: 'no stable release to run a canary beside' });
});

test('a canary from 0 to 100 %: testers first, each step’s share within 5 points of its weight, sticky users, no failed request', async () => {
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 10_000, maxMs: 90_000, acceptBodies: ['v1', 'v2'] });
  const id = await deployWith(tags.v2);
  const shares: string[] = [];

  // Step 1 at 0 %: only the header or the cookie reaches the new release.
  await atWeight(id, 0);
  expect((await act(id, 'pause')).body.paused).toBe(true);
  const testers = await sample(50, { 'X-Canary': 'testers' });
  const betaUsers = await sample(50, { cookie: 'theme=dark; beta=on' });
  const others = await sample(100, { 'X-Canary': 'someone-else', cookie: 'beta=only' });
  expect(Object.fromEntries(testers.bodies)).toEqual({ v2: 50 });
  expect(Object.fromEntries(betaUsers.bodies)).toEqual({ v2: 50 });
  expect(Object.fromEntries(others.bodies)).toEqual({ v1: 100 });
  expect((await act(id, 'resume')).body.paused).toBe(false);

  for (const weight of [10, 50]) {
    await atWeight(id, weight);
    await act(id, 'pause');
    const { bodies, cookies } = await sample(400);
    const share = (100 * (bodies.get('v2') ?? 0)) / 400;
    shares.push(`${weight} % → ${share.toFixed(1)} %`);
    expect(bodies.get('v1')! + bodies.get('v2')!).toBe(400);
    expect(Math.abs(share - weight), `step at ${weight} %: ${share} % from the canary`).toBeLessThanOrEqual(5);
    // A user who got a version keeps it: the sticky cookie names it.
    const [cookie] = [...cookies];
    expect(cookie).toBeDefined();
    const sticky = await sample(40, { cookie: cookie as string });
    expect(sticky.bodies.size, JSON.stringify([...sticky.bodies])).toBe(1);
    await act(id, 'resume');
  }

  const d = await waitForDeployment(berth, id, 60_000);
  await new Promise((r) => setTimeout(r, 300));
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect((d.phases as Phase[]).find((p) => p.phase === 'canary')?.message).toMatch(/^passed 3 step\(s\) \(0, 10, 50 %\); last step: canary \d+ requests/);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('v1') ?? 0).toBeGreaterThan(0);
  expect(result.bodies.get('v2') ?? 0).toBeGreaterThan(0);
  console.log(`canary shares: ${shares.join(', ')}; load: ${result.sent} sent, ${result.failed} failed, v1 ${result.bodies.get('v1')}, v2 ${result.bodies.get('v2')}`);
}, 90_000);

test('a canary answering 5xx on ~20 % of its requests is aborted by the analysis, traffic back on stable', async () => {
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, path: '/cgi-bin/answer', ratePerSecond: 60, maxRequests: 10_000, maxMs: 60_000 });
  const started = Date.now();
  const id = await deployWith(tags.v3, { canary: { steps: [50], stepSeconds: 30, header: null, cookie: null } });
  const d = await waitForDeployment(berth, id, 60_000);
  const seconds = (Date.now() - started) / 1000;
  const result = await load.stop();
  expect(d.status, d.message).toBe('failed');
  expect(d.errorType).toBe('CanaryAborted');
  expect(d.message).toMatch(/^canary aborted at step 1\/1 \(50 %\): analysis: canary 5xx ratio \d+\.\d % against 0\.0 % for stable \(more than \+5\.0 %\); canary \d+ requests, 5xx \d+/);
  // Long before the step's 30 s.
  expect(seconds).toBeLessThan(25);
  // Back on stable: every answer is v2's, and the canary's containers are gone.
  const after = await sample(100, {}, '/cgi-bin/answer');
  expect(Object.fromEntries(after.bodies)).toEqual({ v2: 100 });
  expect((await berth.api('GET', fx.base)).body.liveReleaseId).not.toBe(d.releaseId);
  const containers = await berth.containers(fx.environmentId);
  expect(containers.filter((c) => c.Labels['berth.deployment'] === id)).toEqual([]);
  console.log(`${d.message}\naborted ${seconds.toFixed(1)} s after the deploy call; load: ${result.sent} sent, ${result.failed} 5xx or failed`);
}, 90_000);

test('promote, pause, resume and abort through the API; refusals change nothing', async () => {
  const slow = { canary: { steps: [20], stepSeconds: 120, header: null, cookie: null } };
  const id = await deployWith(tags.v4, slow);
  await atWeight(id, 20);
  expect((await act(id, 'resume')).status).toBe(409);
  expect((await act(id, 'sideways')).status).toBe(400);
  expect((await act(id, 'pause', { reason: 'x'.repeat(501) })).status).toBe(400);
  const paused = await act(id, 'pause');
  expect(paused.status).toBe(200);
  expect(paused.body).toMatchObject({ step: 1, weight: 20, paused: true, outcome: 'running' });
  expect(((await act(id, 'pause')).body as unknown as { error: { message: string } }).error.message).toBe('the canary is already paused');
  expect((await act(id, 'resume')).body.paused).toBe(false);
  const promoted = await act(id, 'promote');
  expect(promoted.body.outcome).toBe('promoting');
  const d = await waitForDeployment(berth, id, 30_000);
  expect(d.status, d.message).toBe('succeeded');
  expect((d.phases as Phase[]).find((p) => p.phase === 'canary')?.message).toMatch(/^promoted at step 1\/1 \(20 %\)/);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v4');
  expect((await act(id, 'abort')).status).toBe(409);

  const next = await deployWith(tags.v5, slow);
  await atWeight(next, 20);
  const aborted = await act(next, 'abort', { reason: 'checkout looks off' });
  expect(aborted.body).toMatchObject({ outcome: 'aborted', reason: `aborted by ${berth.admin.email}: checkout looks off` });
  const failed = await waitForDeployment(berth, next, 30_000);
  expect(failed.status).toBe('failed');
  expect(failed.errorType).toBe('CanaryAborted');
  expect(failed.message).toBe(`canary aborted at step 1/1 (20 %): aborted by ${berth.admin.email}: checkout looks off`);
  expect(Object.fromEntries((await sample(50)).bodies)).toEqual({ v4: 50 });
  // An all-at-once deploy has no canary to move.
  const plain = await deployWith(tags.v5, { strategy: 'all-at-once' });
  const res = await canaryOf(plain);
  expect([409, 200]).toContain(res.status);
  expect((await waitForDeployment(berth, plain, 30_000)).status).toBe('succeeded');
  expect((await act(plain, 'promote')).status).toBe(409);
}, 90_000);

test('a worker killed mid-canary resumes at the same step with the same weights', async () => {
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v5', 'v6'] });
  const id = await deployWith(tags.v6, { canary: { steps: [30], stepSeconds: 8, header: null, cookie: null } });
  const before = await atWeight(id, 30);
  worker?.kill('SIGKILL');
  const during = await sample(200);
  worker = await berth.spawnWorker();
  const after = await canaryOf(id);
  expect(after.body).toMatchObject({ step: before.step, weight: 30, weights: before.weights });
  const d = await waitForDeployment(berth, id, 60_000);
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  const share = (100 * (during.bodies.get('v6') ?? 0)) / 200;
  expect(Math.abs(share - 30)).toBeLessThanOrEqual(7);
  expect(result.failed, result.failures.join('\n')).toBe(0);
  console.log(`worker killed at step ${before.step} (30 %): ${share} % from the canary meanwhile; resumed at step ${after.body.step} (${after.body.weight} %) with ${Math.round(after.body.remainingMs)} ms left`);
}, 90_000);

test('with no worker running, the canary and the lane answer 503 after 5 s, nothing changed; a new worker answers again', async () => {
  const id = await deployWith(tags.v5, { canary: { steps: [20], stepSeconds: 120, header: null, cookie: null } });
  const before = await atWeight(id, 20);
  worker?.kill('SIGKILL');
  for (const path of [`/api/v1/deployments/${id}/canary`, `${fx.base}/lane`]) {
    const started = Date.now();
    const res = await berth.api<{ error: { type: string; message: string } }>('GET', path);
    const tookMs = Date.now() - started;
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(res.body.error.type).toBe('Unavailable');
    expect(res.body.error.message).toMatch(/did not answer within 5 s: is a Berth worker running\?$/);
    // Temporal alone would hold the query ~29 s, then fail it (a 500).
    expect(tookMs).toBeGreaterThanOrEqual(4900);
    expect(tookMs).toBeLessThan(8000);
  }
  expect((await berth.api('GET', `/api/v1/deployments/${id}`)).body.status).toBe('running');
  worker = await berth.spawnWorker();
  const after = await canaryOf(id);
  expect(after.status, JSON.stringify(after.body)).toBe(200);
  expect(after.body).toMatchObject({ step: before.step, weight: 20, outcome: 'running' });
  expect((await berth.api('GET', `${fx.base}/lane`)).body).toMatchObject({ current: id, queued: [] });
  expect((await act(id, 'promote')).status).toBe(200);
  expect((await waitForDeployment(berth, id, 30_000)).status).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v5');
}, 90_000);
