// Blue-green and canary over HTTPS, through real Traefik's HTTPS entrypoint with an uploaded
// certificate (its CA the only one trusted): the preview host name next.<host> answers the new
// release over HTTPS (plain HTTP redirecting there, as for the environment's names) while the
// environment's host names still answer the live one; a canary's header split reaches the canary
// over HTTPS before any weight moved, other requests the stable release, and an abort puts every
// HTTPS request back on stable. A static site's preview is served over HTTPS the same way, and a
// static site's canary splits HTTPS requests through its hop (plain HTTP, above the redirect). A
// stack's exposed services each preview on next.<their host> over HTTPS before the one switch.
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { httpsGet, type HttpsAnswer } from '../support/https-stand.js';
import { buildHello, removeImages } from '../support/images.js';
import { makeTestCa, type TestCa } from '../support/test-certificates.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { siteArchive } from '../support/archives.js';
import { createStaticApp, deployArchive } from '../support/static-sites.js';
import { createStackApp, deployStack, setVariables } from '../support/stack-fixtures.js';

const tags = { v1: 'berth-test/progressive-https:v1', v2: 'berth-test/progressive-https:v2', v3: 'berth-test/progressive-https:v3' };
const APPS_DOMAIN = 'apps.progressive-https.test';
const DOMAIN = 'shop.progressive-https.test';
const httpsPort = inject('services').traefik.httpsPort;
let berth: TestBerth;
let fx: AppFixture;
let ca: TestCa;
let fingerprint: string;

type Phase = { phase: string; outcome: string; message: string | null; startedAt: string; endedAt: string };
const phaseOf = (d: { phases: Phase[] }, name: string) => d.phases.find((p) => p.phase === name);
/** One HTTPS GET, the certificate checked against the test CA; a failure is an answer too. */
const over = (host: string, headers: Record<string, string> = {}): Promise<HttpsAnswer | { status: 0; body: string }> =>
  httpsGet(httpsPort, host, ca.cert, '/', headers).catch((err: Error) => ({ status: 0 as const, body: `error: ${err.message}` }));
const version = (a: { status: number; body: string }) => (a.status === 200 ? a.body.trim() : `HTTP ${a.status} ${a.body.slice(0, 60)}`);

beforeAll(async () => {
  for (const [v, tag] of Object.entries(tags)) buildHello(tag, { version: v });
  ca = makeTestCa('Berth Progressive CA');
  // A certifiable apps domain: the preview host name is next.<the generated host name>.
  berth = await startBerth({ env: { BERTH_APPS_DOMAIN: APPS_DOMAIN }, staticServer: true });
  fx = await createImageApp(berth, { app: 'tlsprog', healthCheck: { intervalMs: 100, startPeriodMs: 500 }, environment: { domains: [DOMAIN], drainSeconds: 1 } });
  expect(fx.host).toBe(`tlsprog.prod.${APPS_DOMAIN}`);
  const leaf = ca.issue([DOMAIN, fx.host, `next.${fx.host}`]);
  const uploaded = await berth.api('PUT', `${fx.base}/certificate`, { certificate: `${leaf.cert}${ca.cert}`, key: leaf.key });
  expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
  fingerprint = uploaded.body.fingerprint;
  const first = await waitForDeployment(berth, await deploy(berth, fx, tags.v1));
  expect(first.status, first.message).toBe('succeeded');
  await waitFor('v1 over HTTPS with the uploaded certificate', async () => {
    const a = await over(fx.host);
    return a.status === 200 && 'fingerprint' in a && a.fingerprint === fingerprint ? a : undefined;
  }, 30_000, 100);
}, 180_000);

afterAll(async () => {
  await berth?.close();
  ca?.remove();
  removeImages(...Object.values(tags));
});

/** Samples the preview and the main host name over HTTPS, side by side, until stopped. */
function sampleOver(main: string) {
  const samples: { preview: string; main: string; previewCert: string | null }[] = [];
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      const [p, m] = await Promise.all([over(`next.${main}`), over(main)]);
      samples.push({ preview: version(p), main: version(m), previewCert: 'fingerprint' in p ? p.fingerprint : null });
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      sampling = false;
      await loop;
      return samples;
    },
  };
}

test('blue-green: next.<host> answers the new release over HTTPS before the one switch', async () => {
  const preview = `next.${fx.host}`;
  const sampler = sampleOver(fx.host);
  const res = await berth.api('POST', `${fx.base}/deployments`, { image: tags.v2, strategy: 'blue-green' });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const d = await waitForDeployment(berth, res.body.deploymentId);
  const samples = await sampler.stop();

  expect(d.status, d.message).toBe('succeeded');
  const previewPhase = phaseOf(d, 'preview') as Phase;
  // Plain HTTP redirects to HTTPS for the preview as for the environment: it was confirmed over HTTPS.
  expect(previewPhase.message).toMatch(new RegExp(`^${preview.replace(/\./g, '\\.')} answered from the new release \\(1 server\\(s\\)\\) over HTTPS in \\d+ ms$`));
  expect(Date.parse(previewPhase.endedAt)).toBeLessThanOrEqual(Date.parse((phaseOf(d, 'route') as Phase).startedAt));
  // Over HTTPS, with the uploaded certificate, the preview answered v2 while the main host still answered v1.
  const both = samples.filter((s) => s.preview === 'v2' && s.main === 'v1');
  expect(both.length, JSON.stringify(samples.slice(0, 30))).toBeGreaterThan(0);
  expect(both.every((s) => s.previewCert === fingerprint)).toBe(true);
  const firstMainV2 = samples.findIndex((s) => s.main === 'v2');
  expect(firstMainV2 === -1 || samples.findIndex((s) => s.preview === 'v2') < firstMainV2).toBe(true);
  expect(version(await over(fx.host))).toBe('v2');
  expect(version(await over(DOMAIN))).toBe('v2');
  // The preview route is gone after the switch.
  expect((await throughTraefik(preview)).status).toBe(404);
  console.log(`blue-green over HTTPS: ${previewPhase.message}; ${samples.length} samples, ${both.length} with the preview on v2 and the main host on v1`);
}, 120_000);

test('canary: the header split reaches the canary over HTTPS at 0 %; an abort puts HTTPS back on stable', async () => {
  const stable = (await berth.api('GET', fx.base)).body.liveDeploymentId as string;
  const res = await berth.api('POST', `${fx.base}/deployments`, { image: tags.v3, canary: { steps: [50], stepSeconds: 120, header: { name: 'X-Canary', value: 'testers' } } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.deploymentId as string;
  await waitFor('the canary at its first step (0 %)', async () => {
    const s = await berth.api('GET', `/api/v1/deployments/${id}/canary`);
    return s.status === 200 && s.body.step > 0 && s.body.weight === 0 ? s.body : undefined;
  }, 60_000, 20);

  for (const host of [fx.host, DOMAIN]) {
    const testers = await Promise.all(Array.from({ length: 20 }, () => over(host, { 'X-Canary': 'testers' })));
    expect(testers.map(version), host).toEqual(Array(20).fill('v3'));
    expect(testers.every((a) => 'fingerprint' in a && a.fingerprint === fingerprint && a.headers['x-berth-deployment'] === id)).toBe(true);
    const others = await Promise.all(Array.from({ length: 20 }, () => over(host, { 'X-Canary': 'someone-else' })));
    expect(others.map(version), host).toEqual(Array(20).fill('v2'));
    expect(others.every((a) => 'headers' in a && a.headers['x-berth-deployment'] === stable)).toBe(true);
  }

  const aborted = await berth.api('POST', `/api/v1/deployments/${id}/canary/abort`, { reason: 'https check done' });
  expect(aborted.status, JSON.stringify(aborted.body)).toBe(200);
  const d = await waitForDeployment(berth, id);
  expect(d.status).toBe('failed');
  expect(d.errorType).toBe('CanaryAborted');
  const after = await Promise.all(Array.from({ length: 20 }, () => over(fx.host, { 'X-Canary': 'testers' })));
  expect(after.map(version)).toEqual(Array(20).fill('v2'));
  expect((await berth.api('GET', fx.base)).body.liveDeploymentId).toBe(stable);
}, 120_000);

test('a static site’s preview is served over HTTPS with its uploaded certificate too', async () => {
  const siteDomain = 'docs.progressive-https.test';
  const site = await createStaticApp(berth, { app: 'tlsdocs', environment: { domains: [siteDomain], strategy: 'blue-green' } });
  const leaf = ca.issue([siteDomain, site.host, `next.${site.host}`]);
  const uploaded = await berth.api('PUT', `${site.base}/certificate`, { certificate: `${leaf.cert}${ca.cert}`, key: leaf.key });
  expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
  const first = await waitForDeployment(berth, await deployArchive(berth, site, siteArchive({ 'index.html': 's1\n' })));
  expect(first.status, first.message).toBe('succeeded');

  const sampler = sampleOver(site.host);
  const d = await waitForDeployment(berth, await deployArchive(berth, site, siteArchive({ 'index.html': 's2\n' })));
  const samples = await sampler.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(phaseOf(d, 'preview')?.message).toMatch(/^next\.tlsdocs\.prod\.apps\.progressive-https\.test answered from release 2 over HTTPS in \d+ ms$/);
  const both = samples.filter((s) => s.preview === 's2' && s.main === 's1');
  expect(both.length, JSON.stringify(samples.slice(0, 30))).toBeGreaterThan(0);
  expect(both.every((s) => s.previewCert === uploaded.body.fingerprint)).toBe(true);
  expect(version(await over(siteDomain))).toBe('s2');
  // Over HTTPS too, a client's own site header (naming the first release, or another app, with a guessed token) is overwritten.
  const forgeries: Record<string, string>[] = [
    { 'X-Berth-Site': `${site.app}/${site.env}@${first.releaseId}` },
    { 'X-Berth-Site': `tlsprog/${site.env}@${first.releaseId}`, 'X-Berth-Site-Token': 'f'.repeat(64) },
  ];
  for (const forged of forgeries) {
    for (const host of [site.host, siteDomain]) {
      const a = await over(host, forged);
      expect(version(a), host).toBe('s2');
      expect('headers' in a && a.headers['x-berth-release'], host).toBe(d.releaseId);
    }
  }
  console.log(`static blue-green over HTTPS: ${phaseOf(d, 'preview')?.message}; ${samples.length} samples, ${both.length} with the preview on s2 and the main host on s1`);
}, 120_000);

test('a static site’s canary over HTTPS: the weighted share and the header split through the hop; an abort puts HTTPS back on stable', async () => {
  const siteDomain = 'blog.progressive-https.test';
  const site = await createStaticApp(berth, {
    app: 'tlsblog',
    environment: { domains: [siteDomain], strategy: 'canary', canary: { steps: [50], stepSeconds: 4, header: { name: 'X-Canary', value: 'testers' } } },
  });
  const leaf = ca.issue([siteDomain, site.host, `next.${site.host}`]);
  expect((await berth.api('PUT', `${site.base}/certificate`, { certificate: `${leaf.cert}${ca.cert}`, key: leaf.key })).status).toBe(200);
  const first = await waitForDeployment(berth, await deployArchive(berth, site, siteArchive({ 'index.html': 'b1\n' })));
  expect(first.status, first.message).toBe('succeeded');
  const id = await deployArchive(berth, site, siteArchive({ 'index.html': 'b2\n' }));
  const state = (weight: number) => async () => {
    const res = await berth.api<{ step: number; weight: number }>('GET', `/api/v1/deployments/${id}/canary`);
    return res.status === 200 && res.body.step > 0 && res.body.weight === weight ? res.body : undefined;
  };
  await waitFor('the header step', state(0), 60_000, 20);
  for (const host of [site.host, siteDomain]) {
    expect(version(await over(host, { 'X-Canary': 'testers' })), host).toBe('b2');
    expect(version(await over(host)), host).toBe('b1');
  }
  expect((await berth.api('POST', `/api/v1/deployments/${id}/canary/resume`)).status).toBe(409);
  await waitFor('the 50 % step', state(50), 60_000, 20);
  expect((await berth.api('POST', `/api/v1/deployments/${id}/canary/pause`)).status).toBe(200);
  const answers = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    const v = version(await over(siteDomain));
    answers.set(v, (answers.get(v) ?? 0) + 1);
  }
  expect((answers.get('b1') ?? 0) + (answers.get('b2') ?? 0), JSON.stringify(Object.fromEntries(answers))).toBe(100);
  expect(Math.abs((answers.get('b2') ?? 0) - 50)).toBeLessThanOrEqual(5);
  expect((await berth.api('POST', `/api/v1/deployments/${id}/canary/abort`)).status).toBe(200);
  const d = await waitForDeployment(berth, id);
  expect(d.errorType).toBe('CanaryAborted');
  for (const host of [site.host, siteDomain]) expect(version(await over(host, { 'X-Canary': 'testers' })), host).toBe('b1');
  console.log(`static canary over HTTPS at 50 %: ${JSON.stringify(Object.fromEntries(answers))} of 100`);
}, 120_000);

test('a stack’s blue-green over HTTPS: each exposed service answers on next.<its host> with the uploaded certificate before the one switch', async () => {
  const stackDomain = 'store.progressive-https.test';
  const stack = await createStackApp(berth, {
    app: 'tlsstk',
    compose: `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    x-berth: { port: 8080, path: /healthz, main: true }
  admin:
    image: \${ADMIN_IMAGE:?set ADMIN_IMAGE}
    x-berth: { port: 8080, path: /healthz }
`,
    environment: { domains: [stackDomain], watch: { seconds: 0 } },
    variables: { WEB_IMAGE: tags.v1, ADMIN_IMAGE: tags.v1 },
  });
  expect(stack.host).toBe(`tlsstk.prod.${APPS_DOMAIN}`);
  const admin = `admin.${stack.host}`;
  const leaf = ca.issue([stackDomain, stack.host, `next.${stack.host}`, admin, `next.${admin}`]);
  const uploaded = await berth.api('PUT', `${stack.base}/certificate`, { certificate: `${leaf.cert}${ca.cert}`, key: leaf.key });
  expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
  const first = await waitForDeployment(berth, await deployStack(berth, stack), 120_000);
  expect(first.status, first.message).toBe('succeeded');
  await waitFor('the stack’s web over HTTPS with the uploaded certificate', async () => {
    const a = await over(stack.host);
    return a.status === 200 && 'fingerprint' in a && a.fingerprint === uploaded.body.fingerprint ? a : undefined;
  }, 30_000, 100);

  await setVariables(berth, stack.base, { WEB_IMAGE: tags.v2, ADMIN_IMAGE: tags.v3 });
  const sampler = sampleOver(stack.host);
  const res = await berth.api('POST', `${stack.base}/deployments`, { strategy: 'blue-green' });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const d = await waitForDeployment(berth, res.body.deploymentId, 150_000);
  const samples = await sampler.stop();
  expect(d.status, d.message).toBe('succeeded');
  type ServicePhases = { service: string; phases: Phase[] };
  const servicePhase = (service: string, name: string) => (d.services as ServicePhases[]).find((x) => x.service === service)?.phases.find((p) => p.phase === name) as Phase;
  // The web's preview was confirmed through the HTTPS entrypoint (plain HTTP redirects there); the
  // admin's on plain HTTP, as its own names are served (an upload covers the environment's names
  // only, even when it names more); both before any route switched.
  for (const [service, host, how] of [['web', stack.host, ' over HTTPS'], ['admin', admin, '']] as const) {
    const preview = servicePhase(service, 'preview');
    expect(preview.message, service).toMatch(new RegExp(`^next\\.${host.replace(/\./g, '\\.')} answered from the new release \\(1 server\\(s\\)\\)${how} in \\d+ ms$`));
    expect(Date.parse(preview.endedAt)).toBeLessThanOrEqual(Date.parse(servicePhase(service, 'route').startedAt));
  }
  // Over HTTPS, with the uploaded certificate, the web's preview answered v2 while its host names still answered v1.
  const both = samples.filter((x) => x.preview === 'v2' && x.main === 'v1');
  expect(both.length, JSON.stringify(samples.slice(0, 30))).toBeGreaterThan(0);
  expect(both.every((x) => x.previewCert === uploaded.body.fingerprint)).toBe(true);
  const firstMainV2 = samples.findIndex((x) => x.main === 'v2');
  expect(firstMainV2 === -1 || samples.findIndex((x) => x.preview === 'v2') < firstMainV2).toBe(true);
  expect(version(await over(stack.host))).toBe('v2');
  expect(version(await over(stackDomain))).toBe('v2');
  expect((await throughTraefik(admin)).body.trim()).toBe('v3');
  // The previews are gone after the switch.
  expect((await throughTraefik(`next.${stack.host}`)).status).toBe(404);
  expect((await throughTraefik(`next.${admin}`)).status).toBe(404);
  console.log(`stack blue-green over HTTPS: ${servicePhase('web', 'preview').message}; ${servicePhase('admin', 'preview').message}; ${samples.length} samples, ${both.length} with the preview on v2 and the main host on v1`);
}, 240_000);
