// Static sites end to end on the real services: upload → lane → deployStatic workflow → nginx
// behind the shared Traefik. Deploys, rollback, retention, serving behaviour, zero downtime.
import { gzipSync } from 'node:zlib';
import { brotliCompressSync } from 'node:zlib';
import { existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import { STATIC_PHASES } from '../../src/domain/phases.js';
import { probeHttp } from '../../src/http-probe.js';
import { staticSiteToken } from '../../src/secrets/static-site-token.js';
import { readCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { desiredCurrent } from '../../activities/static/desired-current.js';
import { siteArchive, tarGz } from '../support/archives.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import type { AppFixture } from '../support/fixtures.js';
import { startLoad } from '../support/load.js';
import { createStaticApp, deployArchive, filesUnder, uploadArchive } from '../support/static-sites.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

let berth: TestBerth;
const entry = () => inject('services').traefik.entryUrl;

function get(fx: AppFixture, path: string, headers: Record<string, string> = {}) {
  return fetchVia(fx.host, path, headers);
}

/** GET through Traefik with a Host header (fetch cannot set one): raw status, headers, body. */
async function fetchVia(host: string, path: string, headers: Record<string, string>) {
  const { request } = await import('node:http');
  return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
    const req = request(`${entry()}${path}`, { headers: { host, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function deployed(fx: AppFixture, archive: Buffer) {
  const d = await waitForDeployment(berth, await deployArchive(berth, fx, archive));
  expect(d.status, d.message).toBe('succeeded');
  return d;
}

beforeAll(async () => {
  berth = await startBerth({ staticServer: true });
});

afterAll(async () => {
  await berth?.close();
});

describe('deploy and rollback', () => {
  let fx: AppFixture;
  const v1 = siteArchive({ 'index.html': '<h1>v1</h1>\n', 'about/index.html': 'about v1\n' });
  const v2 = siteArchive({ 'index.html': '<h1>v2</h1>\n' });

  beforeAll(async () => {
    fx = await createStaticApp(berth, { app: 'site', environment: { retention: 2 } });
  });

  async function currentMatchesDatabase() {
    const env = await berth.api('GET', fx.base);
    const link = await readCurrent(sitePaths(berth.config.static.dir, fx.app, fx.env));
    expect(link).toBe(env.body.liveReleaseId);
    const desired = await desiredCurrent(berth.database.db, berth.config.static.dir, fx.environmentId);
    expect(desired?.releaseId).toBe(env.body.liveReleaseId);
    return env.body.liveReleaseId as string;
  }

  test('v1 then v2 through Traefik, each phase recorded; rollback to v1', async () => {
    const d1 = await deployed(fx, v1);
    expect(d1.phases.map((p: { phase: string }) => p.phase)).toEqual([...STATIC_PHASES]);
    expect(d1.phases.every((p: { outcome: string }) => p.outcome === 'succeeded')).toBe(true);
    expect(d1.request.artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await get(fx, '/')).body.toString()).toBe('<h1>v1</h1>\n');
    expect((await get(fx, '/about/')).body.toString()).toBe('about v1\n');
    expect(await currentMatchesDatabase()).toBe(d1.releaseId);

    const d2 = await deployed(fx, v2);
    const r2 = await get(fx, '/');
    expect(r2.body.toString()).toBe('<h1>v2</h1>\n');
    expect(r2.headers['x-berth-release']).toBe(d2.releaseId);
    expect(await currentMatchesDatabase()).toBe(d2.releaseId);
    // The staged archives are gone once unpacked.
    expect((await filesUnder(sitePaths(berth.config.static.dir, fx.app, fx.env).incoming)).length).toBe(0);

    const rb = await berth.api('POST', `${fx.base}/rollback`, {});
    expect(rb.status).toBe(202);
    const d3 = await waitForDeployment(berth, rb.body.deploymentId);
    expect(d3.status, d3.message).toBe('succeeded');
    expect(d3.kind).toBe('rollback');
    expect(d3.releaseId).toBe(d1.releaseId);
    const skipped = d3.phases.filter((p: { outcome: string }) => p.outcome === 'skipped').map((p: { phase: string }) => p.phase);
    expect(skipped).toEqual(['receive', 'unpack', 'verify']);
    expect((await get(fx, '/')).body.toString()).toBe('<h1>v1</h1>\n');
    expect(await currentMatchesDatabase()).toBe(d1.releaseId);

    const releases = await berth.api('GET', `${fx.base}/releases`);
    expect(releases.body.items.map((r: { live: boolean }) => r.live)).toEqual([false, true]);
  });

  test('releases beyond retention are pruned from disk; rolling back to one fails and changes nothing', async () => {
    const first = (await berth.api('GET', `${fx.base}/releases`)).body.items.at(-1);
    const d4 = await deployed(fx, siteArchive({ 'index.html': 'v4\n' }));
    await deployed(fx, siteArchive({ 'index.html': 'v5\n' }));
    const paths = sitePaths(berth.config.static.dir, fx.app, fx.env);
    // retention 2: v5 (live) and v4 remain.
    expect(existsSync(paths.release(first.id))).toBe(false);
    expect(existsSync(paths.release(d4.releaseId))).toBe(true);
    const rb = await berth.api('POST', `${fx.base}/rollback`, { releaseId: first.id });
    const d = await waitForDeployment(berth, rb.body.deploymentId);
    expect(d.status).toBe('failed');
    expect(d.errorType).toBe('ReleaseNotFound');
    expect((await get(fx, '/')).body.toString()).toBe('v5\n');
  });

  test('an archive changed on disk after its upload fails the deploy, which undoes its files', async () => {
    const before = await filesUnder(sitePaths(berth.config.static.dir, fx.app, fx.env).releases);
    // Workers stopped: the upload is staged, then tampered with before the lane takes it.
    await berth.stopWorkers();
    const pending = uploadArchive(berth, fx, siteArchive({ 'index.html': 'v6\n' }));
    const incoming = sitePaths(berth.config.static.dir, fx.app, fx.env).incoming;
    const name = await waitFor('the staged archive', async () => (await filesUnder(incoming)).find((f) => f.endsWith('.tar.gz')));
    writeFileSync(join(incoming, name), tarGz([{ path: 'index.html', body: 'tampered\n' }]));
    await berth.startWorkers();
    const res = await pending;
    expect(res.status).toBe(202);
    const id = res.body.deploymentId;
    const staged = sitePaths(berth.config.static.dir, fx.app, fx.env).staged(id);
    const d = await waitForDeployment(berth, id);
    expect(d.status).toBe('failed');
    expect(d.errorType).toBe('ArchiveRejected');
    expect(d.message).toMatch(/changed since upload/);
    expect(existsSync(staged)).toBe(false);
    expect(await filesUnder(sitePaths(berth.config.static.dir, fx.app, fx.env).releases)).toEqual(before);
    expect((await get(fx, '/')).body.toString()).toBe('v5\n');
  });

  test('uploads no deployment will use are swept by the cleanup once stale; one being received stays', async () => {
    const incoming = sitePaths(berth.config.static.dir, fx.app, fx.env).incoming;
    const hourAgo = new Date(Date.now() - 3_600_000);
    // An API that died mid-upload, and one that died between the check and the lane: stale.
    const stale = ['dep_0strandedpartial1.tar.gz.partial', 'dep_0strandedchecked1.tar.gz'];
    // An upload being received right now: fresh.
    const fresh = 'dep_0beingreceived001.tar.gz.partial';
    for (const name of [...stale, fresh]) writeFileSync(join(incoming, name), 'x');
    for (const name of stale) utimesSync(join(incoming, name), hourAgo, hourAgo);

    const dry = await berth.api('POST', '/api/v1/cleanup', { dryRun: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.uploads.map((f: string) => f.split('/').at(-1)).sort()).toEqual([...stale].sort());
    expect((await filesUnder(incoming)).sort()).toEqual([...stale, fresh].sort());

    const real = await berth.api('POST', '/api/v1/cleanup', { dryRun: false });
    expect(real.body.uploads).toHaveLength(2);
    expect(await filesUnder(incoming)).toEqual([fresh]);
    const events = await berth.api('GET', '/api/v1/reconcile/events?drift=upload-stale');
    expect(events.body.items[0]).toMatchObject({ action: 'removed', outcome: 'done' });
    rmSync(join(incoming, fresh));
  });
});

describe('serving', () => {
  let fx: AppFixture;
  const css = 'body { color: red; }\n'.repeat(50);
  const site = {
    'index.html': '<!doctype html><h1>home</h1>\n',
    '404.html': '<h1>custom not found</h1>\n',
    'docs/index.html': 'docs\n',
    'empty/.keep': '',
    'assets/app.3f2a1b9c.js': 'console.log("fingerprinted");\n',
    'assets/app.settings.js': 'console.log("not fingerprinted");\n',
    'style.css': css,
    'style.css.gz': gzipSync(css),
    'style.css.br': brotliCompressSync(css),
    'data.json': '{"a":1}',
    'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'big.bin': Buffer.alloc(10_000, 7),
    '.env': 'SECRET=1\n',
    '.git/config': '[core]\n',
    '.well-known/security.txt': 'Contact: mailto:security@example.com\n',
  };

  let firstRelease: string;
  beforeAll(async () => {
    fx = await createStaticApp(berth, { app: 'serve' });
    firstRelease = (await deployed(fx, siteArchive(site))).releaseId as string;
  });

  test('content types by extension, with a charset for text', async () => {
    const types: [string, RegExp][] = [
      ['/', /^text\/html; charset=utf-8$/],
      ['/style.css', /^text\/css; charset=utf-8$/],
      ['/assets/app.3f2a1b9c.js', /^application\/javascript; charset=utf-8$/],
      ['/data.json', /^application\/json/],
      ['/logo.svg', /^image\/svg\+xml/],
      ['/big.bin', /^application\/octet-stream$/],
    ];
    for (const [path, type] of types) {
      const res = await get(fx, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toMatch(type);
    }
  });

  test('cache headers by file kind: immutable for fingerprinted assets, no-cache for HTML and the rest', async () => {
    expect((await get(fx, '/assets/app.3f2a1b9c.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get(fx, '/')).headers['cache-control']).toBe('no-cache');
    expect((await get(fx, '/docs/')).headers['cache-control']).toBe('no-cache');
    expect((await get(fx, '/assets/app.settings.js')).headers['cache-control']).toBe('no-cache');
    expect((await get(fx, '/style.css')).headers['cache-control']).toBe('no-cache');
  });

  test('conditional requests answer 304 by ETag and by Last-Modified', async () => {
    const first = await get(fx, '/style.css');
    expect(first.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(first.headers['last-modified']).toBeTruthy();
    const byEtag = await get(fx, '/style.css', { 'if-none-match': first.headers.etag as string });
    expect(byEtag.status).toBe(304);
    expect(byEtag.body.length).toBe(0);
    const byDate = await get(fx, '/style.css', { 'if-modified-since': first.headers['last-modified'] as string });
    expect(byDate.status).toBe(304);
    const stale = await get(fx, '/style.css', { 'if-none-match': '"0-0"' });
    expect(stale.status).toBe(200);
  });

  test('range requests', async () => {
    const res = await get(fx, '/big.bin', { range: 'bytes=100-199' });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 100-199/10000');
    expect(res.body).toEqual(Buffer.alloc(100, 7));
    expect((await get(fx, '/big.bin', { range: 'bytes=20000-' })).status).toBe(416);
  });

  test('precompressed .br and .gz siblings when the client accepts them', async () => {
    const br = await get(fx, '/style.css', { 'accept-encoding': 'br, gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(br.body).toEqual(brotliCompressSync(css));
    const gz = await get(fx, '/style.css', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body).toEqual(gzipSync(css));
    const plain = await get(fx, '/style.css', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(css);
  });

  test('custom 404 page; no dotfiles; no directory listing; no path out of the release', async () => {
    const missing = await get(fx, '/nope.html');
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toBe('<h1>custom not found</h1>\n');
    for (const path of ['/.env', '/.git/config', '/empty/', '/empty/.keep', '/%2e%2e/%2e%2e/etc/passwd', '/../../../../etc/passwd', '/docs/../../current']) {
      const res = await get(fx, path);
      expect([400, 404], `${path} → ${res.status}`).toContain(res.status);
      expect(res.body.toString()).not.toMatch(/SECRET|core|root:/);
    }
    expect((await get(fx, '/.well-known/security.txt')).status).toBe(200);
    const dir = await get(fx, '/docs');
    expect(dir.status).toBe(301);
    expect(dir.headers.location).toBe('/docs/');
  });

  test('headers a client sends cannot pick another site, an old release or turn on settings', async () => {
    const other = await get(fx, '/', { 'x-berth-site': 'site/prod', 'x-berth-spa': '1', 'x-berth-not-found': '/index.html' });
    expect(other.body.toString()).toBe(site['index.html']);
    // A second release live: a client naming the first one (and guessing a token) still gets the live one.
    const live = (await deployed(fx, siteArchive({ ...site, 'index.html': '<h1>second</h1>\n' }))).releaseId as string;
    const forgeries: Record<string, string>[] = [{ 'x-berth-site': `${fx.app}/${fx.env}@${firstRelease}` }, { 'x-berth-site': `${fx.app}/${fx.env}@${firstRelease}`, 'x-berth-site-token': 'f'.repeat(64) }];
    for (const forged of forgeries) {
      const res = await get(fx, '/', forged);
      expect(res.status).toBe(200);
      expect(res.headers['x-berth-release']).toBe(live);
      expect(res.body.toString()).toBe('<h1>second</h1>\n');
    }
    await deployed(fx, siteArchive(site));
    const missing = await get(fx, '/client-route', { 'x-berth-spa': '1' });
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toBe(site['404.html']);
  });

  test('the static server itself answers a site only with the installation’s token, which Traefik sends', async () => {
    const direct = async (headers: Record<string, string>) => {
      const res = await fetch(`${berth.config.static.url}/`, { headers });
      await res.arrayBuffer();
      return { status: res.status, release: res.headers.get('x-berth-release') ?? undefined };
    };
    const key = `${fx.app}/${fx.env}`;
    const token = staticSiteToken(berth.ring);
    const served = await direct({ 'X-Berth-Site-Token': token, 'X-Berth-Site': key });
    expect(served.status).toBe(200);
    const forgeries: Record<string, string>[] = [{ 'X-Berth-Site': key }, { 'X-Berth-Site': `${key}@${firstRelease}` }, { 'X-Berth-Site-Token': token.slice(1), 'X-Berth-Site': key }];
    for (const forged of forgeries) {
      expect(await direct(forged), JSON.stringify(forged)).toEqual({ status: 404, release: undefined });
    }
    // The route file Traefik reads carries it; the API never shows it.
    expect(JSON.stringify((await berth.api('GET', fx.base)).body)).not.toContain(token);
  });

  test('SPA fallback and a plain 404, by the app settings the next release snapshots', async () => {
    const patched = await berth.api('PATCH', '/api/v1/apps/serve', { static: { spa: true, notFoundPage: null } });
    expect(patched.status).toBe(200);
    expect(patched.body.static).toEqual({ spa: true, notFoundPage: null });
    await deployed(fx, siteArchive(site));
    const route = await get(fx, '/app/settings/42');
    expect(route.status).toBe(200);
    expect(route.body.toString()).toBe(site['index.html']);
    expect(route.headers['cache-control']).toBe('no-cache');
    expect((await get(fx, '/.env')).body.toString()).not.toContain('custom not found');
    // Rolling back serves the earlier release with its own settings again.
    const rb = await berth.api('POST', `${fx.base}/rollback`, {});
    expect((await waitForDeployment(berth, rb.body.deploymentId)).status).toBe('succeeded');
    expect((await get(fx, '/app/settings/42')).status).toBe(404);
  });
});

test('zero downtime: 20 alternating deploys and rollbacks under load through Traefik', async () => {
  const fx = await createStaticApp(berth, { app: 'steady', environment: { retention: 3 } });
  // Bodies big enough to take several reads, so a torn answer would show.
  const body = (v: string) => `${v}\n${v.repeat(40_000)}\n`;
  const versions = { a: siteArchive({ 'index.html': body('a') }), b: siteArchive({ 'index.html': body('b') }) };
  await deployed(fx, versions.a);
  const load = startLoad({
    url: entry(),
    host: fx.host,
    ratePerSecond: 200,
    maxRequests: 20_000,
    maxMs: 120_000,
    acceptBodies: [body('a').trim(), body('b').trim()],
  });
  for (let i = 0; i < 20; i++) {
    const d =
      i % 2 === 0
        ? await waitForDeployment(berth, await deployArchive(berth, fx, i % 4 === 0 ? versions.b : versions.a))
        : await waitForDeployment(berth, (await berth.api('POST', `${fx.base}/rollback`, {})).body.deploymentId);
    expect(d.status, `operation ${i}: ${d.message}`).toBe('succeeded');
  }
  const result = await load.stop();
  expect(result.failures).toEqual([]);
  expect(result.failed).toBe(0);
  expect(result.ok).toBe(result.sent);
  expect(result.sent).toBeGreaterThan(200);
  expect(result.bodies.size).toBe(2);
});

test('the static server answers through probeHttp only for known sites', async () => {
  const res = await probeHttp(`${berth.config.static.url}/`, { timeoutMs: 1000, expectedStatus: 404 });
  expect(res.ok).toBe(true);
});
