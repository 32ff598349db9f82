// Reconcile for static sites: a missing or wrong `current` symlink is re-pointed at the live
// release, and a missing route is written again, in one pass.
import { readFileSync, rmSync, symlinkSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { previewRouteKey } from '../../src/domain/blue-green.js';
import { parseRouteConfig, routeFileName, traefikRouteConfig } from '../../src/domain/route.js';
import { DEFAULT_STATIC_SETTINGS, SITE_TOKEN_HEADER, siteRequestHeaders } from '../../src/domain/static-site.js';
import { staticSiteToken } from '../../src/secrets/static-site-token.js';
import { probeHttp } from '../../src/http-probe.js';
import { readCurrent } from '../../src/static/current-link.js';
import { currentTarget, sitePaths } from '../../src/static/site-paths.js';
import { inject } from 'vitest';
import { siteArchive } from '../support/archives.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createStaticApp, deployArchive } from '../support/static-sites.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

let berth: TestBerth;

beforeAll(async () => {
  berth = await startBerth({ staticServer: true });
});

afterAll(async () => {
  await berth?.close();
});

const body = async (host: string) => (await probeHttp(`${inject('services').traefik.entryUrl}/`, { host, timeoutMs: 2000, expectedStatus: 200 })).body.trim();

test('a broken or wrong `current` and a lost route are healed', async () => {
  const fx = await createStaticApp(berth, { app: 'sitefix' });
  const v1 = await waitForDeployment(berth, await deployArchive(berth, fx, siteArchive({ 'index.html': 'one\n' })));
  const v2 = await waitForDeployment(berth, await deployArchive(berth, fx, siteArchive({ 'index.html': 'two\n' })));
  expect([v1.status, v2.status]).toEqual(['succeeded', 'succeeded']);
  expect(await body(fx.host)).toBe('two');
  const paths = sitePaths(berth.config.static.dir, 'sitefix', fx.env);
  const reconcile = async () => expect((await berth.api('POST', '/api/v1/reconcile', { app: 'sitefix', env: fx.env, wait: true })).status).toBe(200);

  rmSync(paths.current);
  await reconcile();
  expect(await readCurrent(paths)).toBe(v2.releaseId);
  await waitFor('two again', async () => (await body(fx.host)) === 'two');

  // Pointed at the old release behind Berth's back.
  const temp = `${paths.current}.tmp`;
  symlinkSync(currentTarget(v1.releaseId), temp);
  renameSync(temp, paths.current);
  expect(await body(fx.host)).toBe('one');
  await reconcile();
  expect(await readCurrent(paths)).toBe(v2.releaseId);
  expect(await body(fx.host)).toBe('two');

  rmSync(join(berth.config.traefik.routesDir, routeFileName(berth.config.instance, fx.environmentId)));
  await waitFor('the route to be gone', async () => (await probeHttp(`${inject('services').traefik.entryUrl}/`, { host: fx.host, timeoutMs: 2000, expectedStatus: 200 })).status === 404);
  await reconcile();
  await waitFor('two through the rewritten route', async () => (await body(fx.host)) === 'two');

  const drifts = (await berth.api('GET', `/api/v1/reconcile/events?app=sitefix&env=${fx.env}`)).body.items.map((e: { drift: string }) => e.drift);
  expect(drifts).toEqual(expect.arrayContaining(['symlink-missing', 'symlink-wrong', 'route-missing']));

  // A route file from before the site token: the static server answers it 404; reconcile writes it again.
  const file = join(berth.config.traefik.routesDir, routeFileName(berth.config.instance, fx.environmentId));
  const route = parseRouteConfig(fx.environmentId, readFileSync(file, 'utf8'));
  expect(route?.requestHeaders?.[SITE_TOKEN_HEADER]).toBe(staticSiteToken(berth.ring));
  const { [SITE_TOKEN_HEADER]: _token, ...old } = route?.requestHeaders ?? {};
  writeFileSync(file, JSON.stringify(traefikRouteConfig({ ...route!, requestHeaders: old })));
  await waitFor('the old route to serve nothing', async () => (await probeHttp(`${inject('services').traefik.entryUrl}/`, { host: fx.host, timeoutMs: 2000, expectedStatus: 200 })).status === 404);
  await reconcile();
  await waitFor('two through the route with the token', async () => (await body(fx.host)) === 'two');
  expect(parseRouteConfig(fx.environmentId, readFileSync(file, 'utf8'))?.requestHeaders?.[SITE_TOKEN_HEADER]).toBe(staticSiteToken(berth.ring));
});

test('a blue-green preview route its finished deployment left behind (pinned to its release) is removed', async () => {
  const fx = await createStaticApp(berth, { app: 'siteprev' });
  const v1 = await waitForDeployment(berth, await deployArchive(berth, fx, siteArchive({ 'index.html': 'one\n' })));
  const v2 = await waitForDeployment(berth, await deployArchive(berth, fx, siteArchive({ 'index.html': 'two\n' })));
  expect([v1.status, v2.status]).toEqual(['succeeded', 'succeeded']);
  // As the preview of v1 wrote it, had its removal after the switch failed.
  const next = `next.${fx.host}`;
  const file = join(berth.config.traefik.routesDir, routeFileName(berth.config.instance, previewRouteKey(fx.environmentId)));
  const servers = [berth.config.static.url];
  const headers = siteRequestHeaders('siteprev', fx.env, DEFAULT_STATIC_SETTINGS, staticSiteToken(berth.ring), v1.releaseId);
  writeFileSync(file, JSON.stringify(traefikRouteConfig({ environmentId: previewRouteKey(fx.environmentId), deploymentId: v1.id, hosts: [next], servers, requestHeaders: headers })));
  await waitFor('the left preview to serve v1', async () => (await body(next)) === 'one');
  await reconcile('siteprev', fx.env);
  await waitFor('the preview host name to be gone', async () => (await probeHttp(`${inject('services').traefik.entryUrl}/`, { host: next, timeoutMs: 2000, expectedStatus: 200 })).status === 404);
  expect(await body(fx.host)).toBe('two');
  const events = (await berth.api('GET', `/api/v1/reconcile/events?app=siteprev&env=${fx.env}`)).body.items as { drift: string; action: string }[];
  expect(events).toEqual(expect.arrayContaining([expect.objectContaining({ drift: 'preview-route-left', action: 'route-removed' })]));
});

async function reconcile(app: string, env: string) {
  expect((await berth.api('POST', '/api/v1/reconcile', { app, env, wait: true })).status).toBe(200);
}
