// A static site released as a canary against real Traefik, the static server and Temporal, under
// a steady loopback load: the previous release (`current`) and the new one (its own directory,
// reached through its preview route's hop) served at once behind the environment's weighted
// service; testers reach the new one by header at 0 %; each step's share of answers within 5
// points of its weight; no failed request from 0 to 100 %; the preview and the split gone after
// the switch. An abort by hand or a cancel leaves the previous release answering, `current` and the live
// release unchanged and the new release's files gone. The analysis judges the canary's side of
// the weighted service on Traefik's counters: nginx answers a release's files with 200, 301, 403
// or 404 whatever they hold (symbolic link loops, dangling links, an index.html that is a
// directory: all 403/404), so a static canary's 5xx can only come from the way to nginx (Traefik,
// the hop, nginx itself), never from the release; what a release can change is its latency, and a
// canary whose page is much slower to serve is aborted by the p95 analysis. The 5xx verdict is tested with images
// (canary.test.ts, stack-strategies.test.ts): the static kind drives the same steps.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { readCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { siteArchive } from '../support/archives.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import type { AppFixture } from '../support/fixtures.js';
import { startLoad } from '../support/load.js';
import { answerOf, sampleAnswers } from '../support/split-samples.js';
import { createStaticApp, deployArchive } from '../support/static-sites.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const services = inject('services');
let berth: TestBerth;
let fx: AppFixture;

type Phase = { phase: string; outcome: string; message: string | null; startedAt: string; endedAt: string };
type State = { step: number; weight: number; paused: boolean; outcome: string; reason: string | null };
const phaseOf = (d: { phases: Phase[] }, name: string) => d.phases.find((p) => p.phase === name);
const paths = () => sitePaths(berth.config.static.dir, fx.app, fx.env);
const canaryOf = (id: string) => berth.api<State>('GET', `/api/v1/deployments/${id}/canary`);
const act = (id: string, action: string, body?: unknown) => berth.api<State>('POST', `/api/v1/deployments/${id}/canary/${action}`, body);
const atWeight = (id: string, weight: number) =>
  waitFor(`canary of ${id} at ${weight} %`, async () => {
    const res = await canaryOf(id);
    return res.status === 200 && res.body.weight === weight && res.body.step > 0 ? res.body : undefined;
  }, 60_000, 20);

/** Traefik's routers of this environment's canary hop (src/domain/static-canary.ts). */
const hopRouters = async () => {
  const routers = (await (await fetch(`${services.traefik.apiUrl}/api/http/routers?per_page=1000`)).json()) as { name: string; rule: string }[];
  return routers.filter((r) => r.name.includes(fx.environmentId) && r.name.endsWith('-hop@file'));
};

beforeAll(async () => {
  berth = await startBerth({ staticServer: true });
  fx = await createStaticApp(berth, {
    app: 'canarysite',
    environment: { strategy: 'canary', watch: { seconds: 0 }, canary: { steps: [10, 50], stepSeconds: 3, header: { name: 'X-Canary', value: 'testers' } } },
  });
  expect((await berth.api('GET', fx.base)).body.strategy).toBe('canary');
  // A first deploy has nothing to run a canary beside.
  const first = await waitForDeployment(berth, await deployArchive(berth, fx, siteArchive({ 'index.html': 'v1\n', 'about.html': 'about v1\n' })));
  expect(first.status, first.message).toBe('succeeded');
  expect(phaseOf(first, 'canary')).toMatchObject({ outcome: 'skipped', message: 'no stable release to run a canary beside' });
  expect(await answerOf(fx.host)).toBe('v1');
}, 120_000);

afterAll(async () => {
  await berth?.close();
});

test('a static canary from 0 to 100 %: testers first, each step’s share within 5 points, no failed request', async () => {
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 10_000, maxMs: 90_000, acceptBodies: ['v1', 'v2'] });
  const id = await deployArchive(berth, fx, siteArchive({ 'index.html': 'v2\n', 'about.html': 'about v2\n' }));
  const shares: string[] = [];

  await atWeight(id, 0);
  expect((await act(id, 'pause')).body.paused).toBe(true);
  expect(Object.fromEntries(await sampleAnswers(fx.host, 40, '/', { 'X-Canary': 'testers' }))).toEqual({ v2: 40 });
  expect(Object.fromEntries(await sampleAnswers(fx.host, 40, '/about.html', { 'X-Canary': 'testers' }))).toEqual({ 'about v2': 40 });
  expect(Object.fromEntries(await sampleAnswers(fx.host, 80, '/', { 'X-Canary': 'someone-else' }))).toEqual({ v1: 80 });
  // The canary's child reaches the release through a hop router whose path holds a digest of the site token:
  // a client naming a release by a path of its own reaches no release.
  const [hop] = await hopRouters();
  expect(hop?.rule).toMatch(new RegExp(`^PathPrefix\\(\`/\\.berth-release/[0-9a-f]{32}/${fx.environmentId}/\`\\)$`));
  expect(Object.fromEntries(await sampleAnswers(fx.host, 8, `/.berth-release/${'0'.repeat(32)}/${fx.environmentId}/`))).toEqual({ 'HTTP 404': 8 });
  expect((await act(id, 'resume')).body.paused).toBe(false);

  for (const weight of [10, 50]) {
    await atWeight(id, weight);
    await act(id, 'pause');
    const bodies = await sampleAnswers(fx.host, 400);
    const share = (100 * (bodies.get('v2') ?? 0)) / 400;
    shares.push(`${weight} % → ${share.toFixed(1)} %`);
    expect((bodies.get('v1') ?? 0) + (bodies.get('v2') ?? 0), JSON.stringify(Object.fromEntries(bodies))).toBe(400);
    expect(Math.abs(share - weight), `step at ${weight} %: ${share} % from the canary`).toBeLessThanOrEqual(5);
    // The sticky cookie keeps a user on the version that first answered.
    const cookie = [...bodies.cookies][0] as string;
    expect(cookie).toMatch(/_version=/);
    expect((await sampleAnswers(fx.host, 24, '/', { cookie })).size).toBe(1);
    await act(id, 'resume');
  }
  const d = await waitForDeployment(berth, id, 60_000);
  await new Promise((r) => setTimeout(r, 300));
  const result = await load.stop();

  expect(d.status, d.message).toBe('succeeded');
  expect(phaseOf(d, 'preview')?.message).toMatch(/answered from release 2 \(and the canary's path\) in \d+ ms$/);
  expect(phaseOf(d, 'canary')?.message).toMatch(/^passed 3 step\(s\) \(0, 10, 50 %\)/);
  expect(Date.parse((phaseOf(d, 'canary') as Phase).endedAt)).toBeLessThanOrEqual(Date.parse((phaseOf(d, 'switch') as Phase).startedAt));
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('v1') ?? 0).toBeGreaterThan(0);
  expect(result.bodies.get('v2') ?? 0).toBeGreaterThan(0);
  expect(Object.fromEntries(await sampleAnswers(fx.host, 40))).toEqual({ v2: 40 });
  expect((await throughTraefik(`next.${fx.host}`)).status).toBe(404);
  console.log(`static canary: ${shares.join(', ')}; ${phaseOf(d, 'canary')?.message}; load: ${result.sent} sent, ${result.failed} failed, v1 ${result.bodies.get('v1')}, v2 ${result.bodies.get('v2')}`);
});

test('an abort by hand leaves the previous release answering and removes the new one', async () => {
  const live = (await berth.api('GET', fx.base)).body.liveReleaseId as string;
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v2', 'v3'] });
  const id = await deployArchive(berth, fx, siteArchive({ 'index.html': 'v3\n' }));
  await atWeight(id, 10);
  // Held at 10 % a moment, so that the load meets the new release before the abort.
  await act(id, 'pause');
  await new Promise((r) => setTimeout(r, 2500));
  const aborted = await act(id, 'abort', { reason: 'copy is wrong' });
  expect(aborted.body).toMatchObject({ outcome: 'aborted', reason: `aborted by ${berth.admin.email}: copy is wrong` });
  const d = await waitForDeployment(berth, id, 30_000);
  const result = await load.stop();

  expect(d.status).toBe('failed');
  expect(d.errorType).toBe('CanaryAborted');
  // The last analysis's figures follow the reason when a tick read them.
  expect(d.message.startsWith(`canary aborted at step 2/3 (10 %): aborted by ${berth.admin.email}: copy is wrong`), d.message).toBe(true);
  expect(phaseOf(d, 'switch')).toBeUndefined();
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('v3') ?? 0).toBeGreaterThan(0);
  expect(Object.fromEntries(await sampleAnswers(fx.host, 40))).toEqual({ v2: 40 });
  expect(Object.fromEntries(await sampleAnswers(fx.host, 20, '/', { 'X-Canary': 'testers' }))).toEqual({ v2: 20 });
  expect((await berth.api('GET', fx.base)).body.liveReleaseId).toBe(live);
  expect(await readCurrent(paths())).toBe(live);
  expect(existsSync(paths().release(`rel_${id.slice(4)}`))).toBe(false);
  expect((await throughTraefik(`next.${fx.host}`)).status).toBe(404);
  console.log(`static canary abort: ${d.message}; load: ${result.sent} sent, ${result.failed} failed, v2 ${result.bodies.get('v2')}, v3 ${result.bodies.get('v3') ?? 0}`);
});

test('a cancel mid-canary puts traffic back on the previous release and removes the preview', async () => {
  const live = (await berth.api('GET', fx.base)).body.liveReleaseId as string;
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v2', 'v5'] });
  const id = await deployArchive(berth, fx, siteArchive({ 'index.html': 'v5\n' }));
  await atWeight(id, 50);
  expect((await berth.api('POST', `/api/v1/deployments/${id}/cancel`)).status).toBe(202);
  const d = await waitForDeployment(berth, id, 30_000);
  const result = await load.stop();
  expect(d.status, d.message).toBe('cancelled');
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(Object.fromEntries(await sampleAnswers(fx.host, 40))).toEqual({ v2: 40 });
  expect(await readCurrent(paths())).toBe(live);
  expect(existsSync(paths().release(`rel_${id.slice(4)}`))).toBe(false);
  expect((await throughTraefik(`next.${fx.host}`)).status).toBe(404);
  expect(await hopRouters()).toEqual([]);
});

test('a promote goes to the switch of current at once; the preview goes after it', async () => {
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v2', 'v4'] });
  const id = await deployArchive(berth, fx, siteArchive({ 'index.html': 'v4\n' }));
  await atWeight(id, 10);
  expect((await act(id, 'promote')).body.outcome).toBe('promoting');
  const d = await waitForDeployment(berth, id, 30_000);
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(phaseOf(d, 'canary')?.message).toMatch(/^promoted at step 2\/3 \(10 %\)/);
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(Object.fromEntries(await sampleAnswers(fx.host, 40))).toEqual({ v4: 40 });
  expect(await readCurrent(paths())).toBe((await berth.api('GET', fx.base)).body.liveReleaseId);
  expect((await throughTraefik(`next.${fx.host}`)).status).toBe(404);
  // The canary's hop router went with the preview.
  expect(await hopRouters()).toEqual([]);
});

test('a canary whose page is much slower to serve is aborted by the p95 analysis: traffic back on the previous release', async () => {
  const live = (await berth.api('GET', fx.base)).body.liveReleaseId as string;
  const set = await berth.api('PATCH', fx.base, { canary: { steps: [50], stepSeconds: 60, maxP95Ms: 10, header: null } });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  // The same page, 16 MiB in the new release: each of its answers streams through Traefik twice (the
  // hop), tens of milliseconds even on a quiet machine, against a few for the stable page.
  const big = Buffer.alloc(16 * 1024 * 1024, 'x');
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 16, maxRequests: 10_000, maxMs: 90_000 });
  await waitFor('the stable page under load', async () => load.progress().ok > 0, 10_000, 50);
  const started = Date.now();
  const id = await deployArchive(berth, fx, siteArchive({ 'index.html': big }));
  const d = await waitForDeployment(berth, id, 90_000);
  const seconds = (Date.now() - started) / 1000;
  const result = await load.stop();

  expect(d.status, d.message).toBe('failed');
  expect(d.errorType).toBe('CanaryAborted');
  const figures = /^canary aborted at step 1\/1 \(50 %\): analysis: canary p95 latency (\d+) ms above 10 ms \(stable (\d+|n\/a)( ms)?\); canary (\d+) requests, 5xx 0 /.exec(d.message);
  expect(figures, d.message).not.toBeNull();
  expect(Number(figures?.[1])).toBeGreaterThan(10);
  expect(phaseOf(d, 'switch')).toBeUndefined();
  // Nothing failed (the slow answers too), and the previous release answers alone again.
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect([...result.bodies.keys()].some((body) => body.length === big.length), 'the slow page answered under load').toBe(true);
  expect(Object.fromEntries(await sampleAnswers(fx.host, 40))).toEqual({ v4: 40 });
  expect((await berth.api('GET', fx.base)).body.liveReleaseId).toBe(live);
  expect(await readCurrent(paths())).toBe(live);
  expect(existsSync(paths().release(`rel_${id.slice(4)}`))).toBe(false);
  expect(await hopRouters()).toEqual([]);
  console.log(`static canary slow page: ${d.message}; aborted ${seconds.toFixed(1)} s after the upload; load: ${result.sent} sent, ${result.failed} failed`);
}, 120_000);
