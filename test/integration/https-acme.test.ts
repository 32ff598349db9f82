// HTTPS through ACME, proven against a real Pebble that validates every challenge against
// Traefik's own entrypoints (its DNS answers test names with 127.0.0.1): a deployed app gets a
// certificate, HTTPS serves it with the right names, HTTP redirects, a second domain gets its
// own certificate while the first keeps answering, and a deploy under HTTPS load fails nothing.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { probeHttp } from '../../src/http-probe.js';
import type { TestBerth } from '../support/berth.js';
import { runCli } from '../support/berth-cli.js';
import { startCliBerth, type CliBerth } from '../support/cli-berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { httpsGet, startHttpsStand, type HttpsStand } from '../support/https-stand.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/https:v1', v2: 'berth-test/https:v2' };
const FIRST = 'shop.berth.test';
const SECOND = 'www.shop.berth.test';
/** Issuance on a busy 2-core machine: Pebble validates in well under a second; Traefik batches. */
const CERTIFICATE_TIMEOUT_MS = 60_000;
let stand: HttpsStand;
let cli: CliBerth;
let berth: TestBerth;
let fx: AppFixture;

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  stand = await startHttpsStand(inject('services').toolsDir);
  cli = await startCliBerth({ env: stand.berthEnv });
  berth = cli.berth;
  fx = await createImageApp(berth, {
    app: 'shop',
    healthCheck: { intervalMs: 100, startPeriodMs: 500, failureThreshold: 3 },
    environment: { drainSeconds: 1, domains: [FIRST], https: { mode: 'auto', challenge: 'http-01' } },
  });
}, 120_000);

afterAll(async () => {
  await cli?.close();
  await stand?.stop();
  removeImages(...Object.values(tags));
});

/** Resolves with the answer once `host` is served over HTTPS with a certificate Pebble's root verifies. */
async function certified(host: string, timeoutMs = CERTIFICATE_TIMEOUT_MS) {
  return waitFor(`a certificate for ${host}`, async () => httpsGet(stand.httpsPort, host, stand.root).catch(() => undefined), timeoutMs, 200);
}

const figures: Record<string, unknown> = {};

describe('HTTPS through ACME (Pebble)', () => {
  test('a deployed domain gets a certificate from Pebble; HTTPS serves the app with its name; HTTP redirects', async () => {
    const asked = performance.now();
    const id = await deploy(berth, fx, tags.v1);
    const d = await waitForDeployment(berth, id);
    expect(d.status, d.message).toBe('succeeded');
    figures.deployMs = Math.round(performance.now() - asked);
    const answer = await certified(FIRST);
    // From the deploy request: the route (and so the order) exists only once it switches.
    figures.deployToCertificateMs = Math.round(performance.now() - asked);
    expect(answer.status).toBe(200);
    expect(answer.body.trim()).toBe('v1');
    expect(answer.names).toEqual([FIRST]);
    expect(answer.issuer).toMatch(/Pebble/i);
    expect(answer.headers['strict-transport-security']).toBeUndefined();

    const plain = await probeHttp(`${stand.traefik.entryUrl}/some/path?q=1`, { host: FIRST, timeoutMs: 3000, expectedStatus: 301 });
    expect([301, 308]).toContain(plain.status);
    expect(plain.headers.location).toBe(`https://${FIRST}:${stand.httpsPort}/some/path?q=1`);
    // The generated loopback name no CA certifies stays plain HTTP.
    expect((await probeHttp(`${stand.traefik.entryUrl}/`, { host: fx.host, timeoutMs: 3000, expectedStatus: 200 })).body.trim()).toBe('v1');

    const status = await berth.api('GET', `${fx.base}/domains`);
    expect(status.status).toBe(200);
    const first = status.body.items.find((i: { host: string }) => i.host === FIRST);
    expect(first).toMatchObject({ https: true, state: 'issued', source: 'acme', error: null });
    expect(first.certificate.names).toEqual([FIRST]);
    expect(Date.parse(first.certificate.notAfter)).toBeGreaterThan(Date.now());
    expect(status.body.items.find((i: { host: string }) => i.host === fx.host)).toMatchObject({ https: false, state: 'http-only' });

    const metrics = await (await berth.request('/metrics')).text();
    const expiry = new RegExp(`^berth_certificate_expiry_timestamp_seconds\\{app="shop",environment="prod",host="${FIRST}"\\} (\\d+)$`, 'm').exec(metrics);
    expect(Number(expiry?.[1]) * 1000).toBe(Date.parse(first.certificate.notAfter));
    expect(metrics).toContain(`berth_certificate_valid{app="shop",environment="prod",host="${FIRST}"} 1`);
  }, 120_000);

  test('a second domain added later gets its own certificate with no failed request to the first', async () => {
    const load = startLoad({ url: `https://127.0.0.1:${stand.httpsPort}`, host: FIRST, ca: stand.root, ratePerSecond: 20, maxRequests: 2000, maxMs: 90_000, acceptBodies: ['v1'] });
    const added = await berth.api('POST', `${fx.base}/domains`, { domain: SECOND });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.dns).toMatchObject({ pointsHere: true, addresses: ['127.0.0.1'], warning: null });
    const t0 = performance.now();
    const answer = await certified(SECOND);
    figures.secondCertificateMs = Math.round(performance.now() - t0);
    // Load on for a while after the new certificate is in: Traefik's reload must not drop the first.
    await new Promise((r) => setTimeout(r, 3000));
    const result = await load.stop();
    figures.loadDuringSecondDomain = { sent: result.sent, failed: result.failed };
    expect(answer.names).toEqual([SECOND]);
    expect(answer.body.trim()).toBe('v1');
    expect(result.failed, result.failures.join('\n')).toBe(0);
    expect(result.ok).toBeGreaterThan(10);
    // The first kept its certificate.
    expect((await httpsGet(stand.httpsPort, FIRST, stand.root)).names).toEqual([FIRST]);
  }, 120_000);

  test('HSTS and the www → apex redirect, once set', async () => {
    // Only the settings given change: the mode and challenge stay.
    const patched = await berth.api('PATCH', fx.base, { https: { hsts: { maxAge: 600 }, www: 'to-apex' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.https).toEqual({ mode: 'auto', challenge: 'http-01', redirect: true, hsts: { maxAge: 600, includeSubDomains: false, preload: false }, www: 'to-apex' });
    const hsts = await waitFor('HSTS on the apex', async () => {
      const a = await httpsGet(stand.httpsPort, FIRST, stand.root);
      return a.headers['strict-transport-security'] ? a : undefined;
    });
    expect(hsts.headers['strict-transport-security']).toBe('max-age=600');
    const www = await httpsGet(stand.httpsPort, SECOND, stand.root, '/x');
    expect([301, 308]).toContain(www.status);
    expect(www.headers.location).toBe(`https://${FIRST}:${stand.httpsPort}/x`);
  }, 60_000);

  test('a deploy under HTTPS load: 0 failed requests, and the new version answers over HTTPS', async () => {
    const load = startLoad({ url: `https://127.0.0.1:${stand.httpsPort}`, host: FIRST, ca: stand.root, ratePerSecond: 40, maxRequests: 3000, maxMs: 90_000, acceptBodies: ['v1', 'v2'] });
    await new Promise((r) => setTimeout(r, 500));
    const id = await deploy(berth, fx, tags.v2);
    const d = await waitForDeployment(berth, id);
    expect(d.status, d.message).toBe('succeeded');
    await new Promise((r) => setTimeout(r, 500));
    const result = await load.stop();
    figures.loadDuringDeploy = { sent: result.sent, failed: result.failed, v1: result.bodies.get('v1'), v2: result.bodies.get('v2') };
    expect(result.failed, result.failures.join('\n')).toBe(0);
    expect(result.bodies.get('v2')).toBeGreaterThan(0);
    expect((await httpsGet(stand.httpsPort, FIRST, stand.root)).body.trim()).toBe('v2');
  }, 120_000);

  test('a domain whose DNS points elsewhere is refused with what it resolves to, unless forced; then its ACME error shows', async () => {
    const away = 'away.berth.test';
    await stand.pebble.setAddress(away, ['192.0.2.10']);
    const before = (await berth.api('GET', fx.base)).body.domains;
    const refused = await berth.api('POST', `${fx.base}/domains`, { domain: away });
    expect(refused.status).toBe(409);
    expect(refused.body.dns).toMatchObject({ pointsHere: false, addresses: ['192.0.2.10'] });
    expect(refused.body.error.message).toMatch(/192\.0\.2\.10.*force/);
    expect((await berth.api('GET', fx.base)).body.domains).toEqual(before);

    const forced = await berth.api('POST', `${fx.base}/domains`, { domain: away, force: true });
    expect(forced.status, JSON.stringify(forced.body)).toBe(201);
    expect(forced.body.dns.warning).toMatch(/192\.0\.2\.10/);
    // Pebble cannot reach 192.0.2.10: the order fails, and the status says why.
    const failed = await waitFor(
      'the failed order in the status',
      async () => {
        const items = (await berth.api('GET', `${fx.base}/domains`)).body.items as { host: string; state: string; error: string | null }[];
        const item = items.find((i) => i.host === away);
        return item?.state === 'failed' ? item : undefined;
      },
      CERTIFICATE_TIMEOUT_MS,
      500,
    );
    expect(failed.error).toMatch(/away\.berth\.test|192\.0\.2\.10|connection|timeout/i);
    // The others are untouched.
    expect((await httpsGet(stand.httpsPort, FIRST, stand.root)).names).toEqual([FIRST]);
    expect((await berth.api('DELETE', `${fx.base}/domains/${away}`)).status).toBe(204);
  }, 120_000);

  test('the CLI shows each host’s certificate, and refuses a domain whose DNS points elsewhere unless --force', async () => {
    const json = await runCli(['domains', 'shop/prod', '-o', 'json'], { env: cli.env });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).find((d: { host: string }) => d.host === FIRST)).toMatchObject({ state: 'issued', source: 'acme' });
    const text = await runCli(['domains', 'shop/prod'], { env: cli.env });
    // Not a terminal: tab-separated columns.
    expect(text.stdout.split('\n').find((l) => l.startsWith(`${FIRST}\t`))?.split('\t').slice(0, 4)).toEqual([FIRST, 'issued', 'acme', expect.stringMatching(/Pebble/)]);
    await stand.pebble.setAddress('elsewhere.berth.test', ['192.0.2.11']);
    const refused = await runCli(['domains', 'add', 'shop/prod', 'elsewhere.berth.test'], { env: cli.env });
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(/192\.0\.2\.11.*--force/);
  });

  afterAll(() => {
    process.stdout.write(`https-acme figures: ${JSON.stringify(figures)}\n`);
  });
});
