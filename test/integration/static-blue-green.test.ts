// A static site released blue-green against real Traefik and the static server: the new
// release's directory answers on next.<host> (the static server serving it by its own site key)
// while every host name still reads `current`, then one switch under a steady loopback load with
// no failed request; a release whose root does not answer on the preview never takes traffic
// (`current`, the live release and the answers stay, its files and the preview route are gone).
// The environment's strategy chooses blue-green: a static deploy uploads an archive, not a body
// that could name one.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { readCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { siteArchive } from '../support/archives.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import type { AppFixture } from '../support/fixtures.js';
import { startLoad } from '../support/load.js';
import { createStaticApp, deployArchive } from '../support/static-sites.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

const services = inject('services');
let berth: TestBerth;
let fx: AppFixture;

type Phase = { phase: string; outcome: string; message: string | null; startedAt: string; endedAt: string };
const phaseOf = (d: { phases: Phase[] }, name: string) => d.phases.find((p) => p.phase === name);
const paths = () => sitePaths(berth.config.static.dir, fx.app, fx.env);
const answer = async (host: string) => {
  const r = await throughTraefik(host);
  return r.ok ? r.body.trim() : `HTTP ${r.status}`;
};

beforeAll(async () => {
  berth = await startBerth({ staticServer: true });
  fx = await createStaticApp(berth, { app: 'bgsite', environment: { strategy: 'blue-green' } });
  expect((await berth.api('GET', fx.base)).body.strategy).toBe('blue-green');
  // A first deploy previews too (nothing serves the host names yet).
  const first = await waitForDeployment(berth, await deployArchive(berth, fx, siteArchive({ 'index.html': 'v1\n' })));
  expect(first.status, first.message).toBe('succeeded');
  expect(phaseOf(first, 'preview')?.outcome).toBe('succeeded');
  expect(await answer(fx.host)).toBe('v1');
});

afterAll(async () => {
  await berth?.close();
});

test('next.<host> answers the new release before the one switch of current, with no failed request', async () => {
  const preview = `next.${fx.host}`;
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v1', 'v2'] });
  const samples: { preview: string; main: string }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [p, m] = await Promise.all([answer(preview), answer(fx.host)]);
      samples.push({ preview: p, main: m });
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const d = await waitForDeployment(berth, await deployArchive(berth, fx, siteArchive({ 'index.html': 'v2\n' })));
  await new Promise((r) => setTimeout(r, 300));
  sampling = false;
  const [, result] = await Promise.all([sampler, load.stop()]);

  expect(d.status, d.message).toBe('succeeded');
  const previewPhase = phaseOf(d, 'preview') as Phase;
  expect(previewPhase.message).toMatch(new RegExp(`^${preview.replace(/\./g, '\\.')} answered from release 2 in \\d+ ms$`));
  expect(Date.parse(previewPhase.endedAt)).toBeLessThanOrEqual(Date.parse((phaseOf(d, 'switch') as Phase).startedAt));
  expect(samples.some((s) => s.preview === 'v2' && s.main === 'v1'), JSON.stringify(samples.slice(0, 40))).toBe(true);
  const firstMainV2 = samples.findIndex((s) => s.main === 'v2');
  const firstPreviewV2 = samples.findIndex((s) => s.preview === 'v2');
  expect(firstPreviewV2).toBeGreaterThanOrEqual(0);
  expect(firstMainV2 === -1 || firstPreviewV2 < firstMainV2).toBe(true);
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('v1') ?? 0).toBeGreaterThan(0);
  expect(await answer(fx.host)).toBe('v2');
  expect((await throughTraefik(preview)).status).toBe(404);
  console.log(`static blue-green: ${previewPhase.message}; ${samples.length} samples; load: ${result.sent} sent, ${result.failed} failed, v1 ${result.bodies.get('v1')}, v2 ${result.bodies.get('v2') ?? 0}`);
});

test('a release whose root does not answer on the preview never takes traffic', async () => {
  const live = (await berth.api('GET', fx.base)).body.liveReleaseId as string;
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v2'] });
  const id = await deployArchive(berth, fx, siteArchive({ 'other.html': 'v3\n' }));
  const d = await waitForDeployment(berth, id);
  const result = await load.stop();

  expect(d.status, d.message).toBe('failed');
  expect(d.errorType).toBe('RouteVerificationFailed');
  expect(d.message).toContain(`next.${fx.host}/ did not answer from release 3: HTTP 404`);
  expect(phaseOf(d, 'preview')?.outcome).toBe('failed');
  expect(phaseOf(d, 'switch')).toBeUndefined();
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('v2')).toBe(result.ok);
  expect((await berth.api('GET', fx.base)).body.liveReleaseId).toBe(live);
  expect(await readCurrent(paths())).toBe(live);
  expect(existsSync(paths().release(`rel_${id.slice(4)}`))).toBe(false);
  expect((await throughTraefik(`next.${fx.host}`)).status).toBe(404);
});
