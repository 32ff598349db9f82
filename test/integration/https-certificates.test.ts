// Uploaded certificates and the other ACME challenge, on a real Traefik and Pebble: a good
// certificate is served (its key sealed in the database, on disk only in one 0600 file); a bad
// one — mismatched key, expired, wrong names, chain out of order, not PEM — is refused with the
// reason and changes nothing; TLS-ALPN-01 gets a certificate through the HTTPS entrypoint;
// settings that cannot hold are refused; the new routes answer 401 and 403; a static site
// serves its uploaded certificate and redirects HTTP.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema/index.js';
import { createPreviewActivities } from '../../activities/previews/index.js';
import { probeHttp } from '../../src/http-probe.js';
import { certificateFileName } from '../../activities/router/certificate-files.js';
import { addMember, makeToken, makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { httpsGet, startHttpsStand, type HttpsStand } from '../support/https-stand.js';
import { buildHello, removeImages } from '../support/images.js';
import { siteArchive } from '../support/archives.js';
import { createStaticApp, deployArchive } from '../support/static-sites.js';
import { makeTestCa, type TestCa } from '../support/test-certificates.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const TAG = 'berth-test/https-certs:v1';
const PAY = 'pay.berth.test';
const ALPN = 'alpn.berth.test';
let stand: HttpsStand;
let berth: TestBerth;
let ca: TestCa;
let otherCa: TestCa;
let pay: AppFixture;
let alpn: AppFixture;

beforeAll(async () => {
  buildHello(TAG, { version: 'v1' });
  ca = makeTestCa('Berth Upload CA');
  otherCa = makeTestCa('Someone Else CA');
  stand = await startHttpsStand(inject('services').toolsDir);
  berth = await startBerth({ env: stand.berthEnv, staticServer: true });
  const health = { intervalMs: 100, startPeriodMs: 500, failureThreshold: 3 };
  pay = await createImageApp(berth, { app: 'pay', healthCheck: health, environment: { domains: [PAY] } });
  alpn = await createImageApp(berth, { app: 'alpn', healthCheck: health, environment: { domains: [ALPN], https: { mode: 'auto', challenge: 'tls-alpn-01', redirect: false } } });
  for (const fx of [pay, alpn]) {
    const d = await waitForDeployment(berth, await deploy(berth, fx, TAG));
    expect(d.status, d.message).toBe('succeeded');
  }
}, 180_000);

afterAll(async () => {
  await berth?.close();
  await stand?.stop();
  ca?.remove();
  otherCa?.remove();
  removeImages(TAG);
});

const certificateFile = () => join(stand.routesDir, certificateFileName(berth.config.instance, pay.environmentId));

describe('TLS-ALPN-01', () => {
  test('a certificate through the HTTPS entrypoint alone; HTTP still answers (no redirect asked)', async () => {
    const answer = await waitFor('a TLS-ALPN-01 certificate', async () => httpsGet(stand.httpsPort, ALPN, stand.root).catch(() => undefined), 60_000, 200);
    expect(answer.names).toEqual([ALPN]);
    expect(answer.body.trim()).toBe('v1');
    const plain = await probeHttp(`${stand.traefik.entryUrl}/`, { host: ALPN, timeoutMs: 3000, expectedStatus: 200 });
    expect(plain.status).toBe(200);
  });
});

describe('uploaded certificates', () => {
  let uploaded: { fingerprint: string; key: string };

  test('a good certificate is served, its key sealed in the database and in a 0600 file only', async () => {
    const leaf = ca.issue([PAY]);
    const res = await berth.api('PUT', `${pay.base}/certificate`, { certificate: `${leaf.cert}${ca.cert}`, key: leaf.key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ names: [PAY], issuer: 'Berth Upload CA' });
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY');
    uploaded = { fingerprint: res.body.fingerprint, key: leaf.key };

    const served = await waitFor('the uploaded certificate served', async () => {
      // The certificate file and the route file are two reloads: wait for both.
      const a = await httpsGet(stand.httpsPort, PAY, ca.cert).catch(() => undefined);
      return a?.fingerprint === uploaded.fingerprint && a.status === 200 ? a : undefined;
    });
    expect(served.names).toEqual([PAY]);
    expect(served.body.trim()).toBe('v1');
    expect(statSync(certificateFile()).mode & 0o777).toBe(0o600);
    expect((await berth.api('GET', pay.base)).body.https.mode).toBe('custom');
    const status = (await berth.api('GET', `${pay.base}/domains`)).body.items.find((i: { host: string }) => i.host === PAY);
    expect(status).toMatchObject({ state: 'issued', source: 'uploaded', error: null });

    // The key's body, line by line, appears in no table of the database.
    const keyLines = leaf.key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    for (const [name, table] of Object.entries(schema)) {
      if (typeof table !== 'object' || table === null || !('getSQL' in table)) continue;
      const text = JSON.stringify(await berth.database.db.select().from(table as typeof schema.users));
      expect(text.includes('PRIVATE KEY'), name).toBe(false);
      for (const line of keyLines) expect(text.includes(line), name).toBe(false);
    }
    const [row] = await berth.database.db.select().from(schema.environmentCertificates);
    expect(row?.keySealed).toMatch(/^v2\./);
  });

  const bad: [string, () => { certificate: string; key: string }, RegExp][] = [
    ['a key that is not the certificate’s', () => ({ certificate: ca.issue([PAY]).cert, key: ca.issue([PAY]).key }), /private key does not match/],
    ['an expired certificate', () => { const l = ca.issue([PAY], -1); return { certificate: l.cert, key: l.key }; }, /expired on/],
    ['names that do not cover the domain', () => { const l = ca.issue(['other.berth.test']); return { certificate: l.cert, key: l.key }; }, /does not cover pay\.berth\.test/],
    ['a chain out of order', () => { const l = ca.issue([PAY]); return { certificate: `${l.cert}${otherCa.cert}`, key: l.key }; }, /is not issued by certificate 2/],
    ['the CA first', () => { const l = ca.issue([PAY]); return { certificate: `${ca.cert}${l.cert}`, key: l.key }; }, /first certificate is a CA/],
    ['no PEM at all', () => ({ certificate: 'hello', key: 'world' }), /no PEM certificate/],
  ];

  test.each(bad)('%s is refused with the reason, and nothing changes', async (_what, make, reason) => {
    const fileBefore = readFileSync(certificateFile(), 'utf8');
    const [rowBefore] = await berth.database.db.select().from(schema.environmentCertificates);
    const res = await berth.api('PUT', `${pay.base}/certificate`, make());
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('ValidationFailed');
    expect(res.body.error.message).toMatch(reason);
    expect((await berth.database.db.select().from(schema.environmentCertificates))[0]).toEqual(rowBefore);
    expect((await berth.api('GET', `${pay.base}/certificate`)).body.fingerprint).toBe(uploaded.fingerprint);
    expect(readFileSync(certificateFile(), 'utf8')).toBe(fileBefore);
    expect((await httpsGet(stand.httpsPort, PAY, ca.cert)).fingerprint).toBe(uploaded.fingerprint);
  });
});

describe('a static site', () => {
  test('serves its uploaded certificate over HTTPS, and HTTP redirects there', async () => {
    const DOCS = 'docs.berth.test';
    const site = await createStaticApp(berth, { app: 'docs', environment: { domains: [DOCS] } });
    const leaf = ca.issue([DOCS]);
    expect((await berth.api('PUT', `${site.base}/certificate`, { certificate: leaf.cert, key: leaf.key })).status).toBe(200);
    const d = await waitForDeployment(berth, await deployArchive(berth, site, siteArchive({ 'index.html': 'docs v1\n' })));
    expect(d.status, d.message).toBe('succeeded');
    const answer = await waitFor('the static site over HTTPS', async () => {
      const a = await httpsGet(stand.httpsPort, DOCS, ca.cert).catch(() => undefined);
      return a?.status === 200 ? a : undefined;
    });
    expect(answer.body).toBe('docs v1\n');
    expect(answer.names).toEqual([DOCS]);
    const plain = await probeHttp(`${stand.traefik.entryUrl}/`, { host: DOCS, timeoutMs: 3000, expectedStatus: 301 });
    expect(plain.headers.location).toBe(`https://${DOCS}:${stand.httpsPort}/`);
  });
});

describe('previews', () => {
  test("a preview takes the template's HTTPS and asks for certificates of its own names (an upload is the template's)", async () => {
    const site = { appsDomain: berth.config.appsDomain, hostId: berth.config.hostId, traefikPort: stand.httpPort, httpsPort: stand.httpsPort, publicUrl: 'http://127.0.0.1' };
    const previews = createPreviewActivities({ db: berth.database.db, site });
    const [app] = await berth.database.db.select().from(schema.apps).where(eq(schema.apps.name, 'pay'));
    const made = await previews.ensurePreviewEnvironment({
      target: { appId: app!.id, appName: 'pay', number: 7, repository: 'o/r', templateEnvironmentId: pay.environmentId, idleSeconds: 3600 },
      event: { headSha: 'a'.repeat(40), head: 'feature', installationId: null, untrusted: false },
    });
    expect(made.request.tls).toMatchObject({ mode: 'auto', resolver: 'berth-http', certHosts: ['pr-7.pay.berth.test'] });
    const [env] = await berth.database.db.select().from(schema.environments).where(eq(schema.environments.id, made.environmentId));
    expect(env?.https?.mode).toBe('auto');
    await berth.database.db.delete(schema.environments).where(eq(schema.environments.id, made.environmentId));
  });
});

describe('settings that cannot hold are refused, and change nothing', () => {
  test.each([
    ['a wildcard without dns-01', { domains: ['*.berth.test'] }, 400, /wildcard/],
    ['dns-01 with no DNS provider configured', { https: { mode: 'auto', challenge: 'dns-01' } }, 400, /DNS provider/],
    ['HSTS preload without includeSubDomains', { https: { mode: 'auto', hsts: { maxAge: 31_536_000, preload: true } } }, 400, /preload/],
    ['custom with no uploaded certificate', { https: { mode: 'custom' } }, 409, /uploaded certificate/],
  ])('%s', async (_what, patch, status, reason) => {
    const before = (await berth.api('GET', alpn.base)).body;
    const res = await berth.api('PATCH', alpn.base, patch);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(JSON.stringify(res.body.error)).toMatch(reason);
    expect((await berth.api('GET', alpn.base)).body).toEqual(before);
  });
});

describe('access to the new routes', () => {
  const routes = (base: string): [string, string, unknown][] => [
    ['GET', `${base}/domains`, undefined],
    ['POST', `${base}/domains`, { domain: 'new.berth.test' }],
    ['DELETE', `${base}/domains/${PAY}`, undefined],
    ['GET', `${base}/certificate`, undefined],
    ['PUT', `${base}/certificate`, { certificate: 'x', key: 'y' }],
    ['DELETE', `${base}/certificate`, undefined],
  ];

  test('no credentials: 401 on every one', async () => {
    for (const [method, path, body] of routes(pay.base)) expect((await berth.api(method, path, body, null)).status, `${method} ${path}`).toBe(401);
  });

  test('a viewer reads but changes nothing (403); nothing changed', async () => {
    const project = await berth.api('GET', '/api/v1/projects/p-pay');
    const viewer = await makeUser(berth.database.db);
    await addMember(berth.database.db, project.body.id, viewer.id, 'viewer');
    const token = await makeToken(berth.database.db, viewer.id, { scope: 'admin' });
    const before = (await berth.api('GET', pay.base)).body;
    for (const [method, path, body] of routes(pay.base)) {
      expect((await berth.api(method, path, body, token)).status, `${method} ${path}`).toBe(method === 'GET' ? 200 : 403);
    }
    expect((await berth.api('GET', pay.base)).body).toEqual(before);
    expect((await berth.api('GET', `${pay.base}/certificate`)).status).toBe(200);
  });
});
