// A static site's switch verified and watched (activities/static/verify-site.ts) against real
// Traefik and the static server: every host name of the environment answers from the release
// (the `confirm` phase); a router elsewhere claiming a host name fails the confirmation and
// `current` goes back to the live release; a release that stops answering after its switch is
// rolled back by the watch (`current` back, the deployment rolled-back with the figures); a
// healthy one is watched on Traefik's metrics under load with no failed request.
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { readCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { siteArchive } from '../support/archives.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import type { AppFixture } from '../support/fixtures.js';
import { startLoad } from '../support/load.js';
import { createStaticApp, deployArchive } from '../support/static-sites.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const services = inject('services');
const stray = `zz-stray-${randomBytes(4).toString('hex')}`;
const strayFile = join(services.traefik.routesDir, `${stray}.yml`);
const extraHost = `www-${randomBytes(3).toString('hex')}.site.test`;
let berth: TestBerth;
let fx: AppFixture;

type Phase = { phase: string; outcome: string; message: string | null; startedAt: string; endedAt: string };
const phaseOf = (d: { phases: Phase[] }, name: string) => d.phases.find((p) => p.phase === name);
const site = (v: string) => siteArchive({ 'index.html': `${v}\n` });
const current = () => readCurrent(sitePaths(berth.config.static.dir, fx.app, fx.env));
const liveRelease = async () => (await berth.api('GET', fx.base)).body.liveReleaseId as string;

beforeAll(async () => {
  berth = await startBerth({ staticServer: true });
  fx = await createStaticApp(berth, { app: 'watchedsite', environment: { domains: [extraHost], watch: { seconds: 20, failedProbes: 3 } } });
});

afterAll(async () => {
  rmSync(strayFile, { force: true });
  await berth?.close();
});

test('every host name is confirmed to serve the release; a first deploy has no watch', async () => {
  const d = await waitForDeployment(berth, await deployArchive(berth, fx, site('v1')));
  expect(d.status, d.message).toBe('succeeded');
  expect(phaseOf(d, 'confirm')?.outcome).toBe('succeeded');
  expect(phaseOf(d, 'watch')).toMatchObject({ outcome: 'skipped', message: 'no previous release to go back to' });
  for (const host of [fx.host, extraHost]) expect((await throughTraefik(host)).body.trim()).toBe('v1');
});

test('a router elsewhere claiming a host name fails the confirmation: current goes back, v1 serves', async () => {
  const v1 = await liveRelease();
  writeFileSync(
    strayFile,
    JSON.stringify({
      http: {
        routers: { [stray]: { rule: `Host(\`${extraHost}\`)`, service: stray, entryPoints: ['web'], priority: 1 } },
        services: { [stray]: { loadBalancer: { servers: [{ url: 'http://127.0.0.1:9' }] } } },
      },
    }),
  );
  await waitFor('Traefik to load the stray router', async () => {
    const res = await fetch(`${services.traefik.apiUrl}/api/http/routers/${stray}@file`);
    return res.ok;
  });
  try {
    const d = await waitForDeployment(berth, await deployArchive(berth, fx, site('v2')));
    expect(d.status, d.message).toBe('failed');
    expect(d.errorType).toBe('RouteVerificationFailed');
    expect(d.message).toContain(`${extraHost}: router ${stray}@file leads to http://127.0.0.1:9`);
    expect(phaseOf(d, 'confirm')?.outcome).toBe('failed');
    expect(await current()).toBe(v1);
    expect(await liveRelease()).toBe(v1);
    expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
    // The failed release's files are gone.
    expect(existsSync(sitePaths(berth.config.static.dir, fx.app, fx.env).release(d.releaseId))).toBe(false);
  } finally {
    rmSync(strayFile, { force: true });
  }
});

test('a release that stops answering after its switch is rolled back by the watch', async () => {
  const v1 = await liveRelease();
  const id = await deployArchive(berth, fx, site('v3'));
  // Once the watch runs, v3's root goes (a disk wiped, a bad sync): its host names answer 404.
  const watching = await waitFor('the watch to start', async () => {
    const d = (await berth.api('GET', `/api/v1/deployments/${id}`)).body;
    return d.phases?.some((p: Phase) => p.phase === 'watch' && p.outcome === 'running') ? d : undefined;
  });
  rmSync(join(sitePaths(berth.config.static.dir, fx.app, fx.env).release(watching.releaseId), 'index.html'));
  const d = await waitForDeployment(berth, id, 60_000);

  expect(d.status, d.message).toBe('rolled-back');
  expect(d.errorType).toBe('WatchThresholdCrossed');
  // Both host names are probed each round: the third failure in a row may come with a fourth.
  expect(d.message).toMatch(/^rolled back to release 1: [34] health probes failed in a row \(\/ HTTP 404\); Traefik's metrics: \d+ requests/);
  expect(phaseOf(d, 'watch')?.outcome).toBe('failed');
  expect(await current()).toBe(v1);
  expect(await liveRelease()).toBe(v1);
  for (const host of [fx.host, extraHost]) expect((await throughTraefik(host)).body.trim()).toBe('v1');
  expect(existsSync(sitePaths(berth.config.static.dir, fx.app, fx.env).release(d.releaseId))).toBe(false);
  console.log(`static watch: ${d.message}`);
});

test('a healthy release is watched on Traefik’s metrics under load and goes on, with no failed request', async () => {
  expect((await berth.api('PATCH', fx.base, { watch: { seconds: 3 } })).status).toBe(200);
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 10_000, maxMs: 60_000, acceptBodies: ['v1', 'v4'] });
  const d = await waitForDeployment(berth, await deployArchive(berth, fx, site('v4')));
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  const watch = phaseOf(d, 'watch') as Phase;
  expect(watch.outcome).toBe('succeeded');
  const requests = Number(/Traefik's metrics: (\d+) requests, 5xx 0 \(0\.0 %\)/.exec(watch.message ?? '')?.[1]);
  expect(requests).toBeGreaterThan(100);
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect((await throughTraefik(extraHost)).body.trim()).toBe('v4');
  console.log(`static watch passed: ${watch.message}; load ${result.sent} sent, ${result.failed} failed`);
});
