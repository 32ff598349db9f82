// A stack over HTTPS with an uploaded certificate: the service answering on the environment's
// domain serves the upload through Traefik's HTTPS entrypoint (trusted by its own CA, nothing
// else), the domain's status says so, and a second exposed service keeps its own names on plain
// HTTP. Removing the upload takes the certificate file away again.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { certificateFileName } from '../../activities/router/certificate-files.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { httpsGet } from '../support/https-stand.js';
import { buildHello, removeImages } from '../support/images.js';
import { createStackApp, deployStack, type StackFixture } from '../support/stack-fixtures.js';
import { makeTestCa, type TestCa } from '../support/test-certificates.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const TAGS = { web: 'berth-test/stack-https-web:v1', admin: 'berth-test/stack-https-admin:v1' };
const DOMAIN = 'shop.stack-https.test';
const COMPOSE = `
services:
  web:
    image: ${TAGS.web}
    x-berth: { port: 8080, path: /healthz, main: true }
  admin:
    image: ${TAGS.admin}
    x-berth: { port: 8080, path: /healthz }
`;
let berth: TestBerth;
let fx: StackFixture;
let ca: TestCa;

beforeAll(async () => {
  buildHello(TAGS.web, { version: 'stack-web' });
  buildHello(TAGS.admin, { version: 'stack-admin' });
  ca = makeTestCa('Berth Stack Upload CA');
  berth = await startBerth();
  fx = await createStackApp(berth, { app: 'tlsstack', compose: COMPOSE, environment: { domains: [DOMAIN] } });
}, 180_000);

afterAll(async () => {
  await berth?.close();
  ca?.remove();
  removeImages(...Object.values(TAGS));
});

test("the upload is served for the environment's domain by the service answering there; another service stays plain HTTP", async () => {
  const leaf = ca.issue([DOMAIN]);
  const uploaded = await berth.api('PUT', `${fx.base}/certificate`, { certificate: `${leaf.cert}${ca.cert}`, key: leaf.key });
  expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
  const d = await waitForDeployment(berth, await deployStack(berth, fx));
  expect(d.status, d.message).toBe('succeeded');

  const httpsPort = inject('services').traefik.httpsPort;
  const answer = await waitFor(
    'the uploaded certificate served for the stack',
    async () => {
      const a = await httpsGet(httpsPort, DOMAIN, ca.cert).catch(() => undefined);
      return a && a.fingerprint === uploaded.body.fingerprint && a.status === 200 ? a : undefined;
    },
    30_000,
    200,
  );
  expect(answer.body).toContain('stack-web');
  expect(answer.issuer).toBe('Berth Stack Upload CA');
  const statuses = (await berth.api('GET', `${fx.base}/domains`)).body.items as { host: string; state: string; source: string | null }[];
  expect(statuses.find((s) => s.host === DOMAIN)).toMatchObject({ state: 'issued', source: 'uploaded' });

  // The admin service answers on its own generated name, over plain HTTP as before.
  const adminHost = `admin.${fx.host}`;
  const admin = await waitFor('the admin service through Traefik', async () => {
    const r = await throughTraefik(adminHost).catch(() => undefined);
    return r?.status === 200 ? r : undefined;
  }, 30_000, 200);
  expect(admin.body).toContain('stack-admin');
  expect(existsSync(join(berth.config.traefik.routesDir, certificateFileName(berth.config.instance, fx.environmentId)))).toBe(true);
}, 240_000);

test('removing the upload takes its file away and the domain back to plain HTTP', async () => {
  expect((await berth.api('DELETE', `${fx.base}/certificate`)).status).toBe(204);
  const file = join(berth.config.traefik.routesDir, certificateFileName(berth.config.instance, fx.environmentId));
  await waitFor('the certificate file removed', async () => !existsSync(file), 30_000, 200);
  const statuses = (await berth.api('GET', `${fx.base}/domains`)).body.items as { host: string; state: string }[];
  expect(statuses.find((s) => s.host === DOMAIN)?.state).toBe('http-only');
}, 120_000);
