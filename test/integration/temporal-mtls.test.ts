// The API's Temporal client and the workers' connection speak mTLS when certificate paths are
// configured: a whole deployment runs through an endpoint that refuses any connection without
// a client certificate signed by its CA, and clients without one (or with another CA's) fail.
import { Connection, type TLSConfig } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy } from '../support/fixtures.js';
import { startTlsFront, type TlsFront } from '../support/tls-front.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

let front: TlsFront;
let berth: TestBerth;

beforeAll(async () => {
  front = await startTlsFront(inject('services').temporalAddress);
  berth = await startBerth({
    env: {
      TEMPORAL_ADDRESS: front.address,
      TEMPORAL_TLS_CERT: front.files.clientCert,
      TEMPORAL_TLS_KEY: front.files.clientKey,
      TEMPORAL_TLS_CA: front.files.ca,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    },
  });
});

afterAll(async () => {
  await berth?.close();
  await front?.close();
});

test('a deployment runs end to end with the API and the workers on mTLS', async () => {
  const fx = await createImageApp(berth, { app: 'mtls', image: 'berth-local/hello:v1' });
  const d = await waitForDeployment(berth, await deploy(berth, fx));
  expect(d.status, d.message).toBe('succeeded');
  expect((await throughTraefik(fx.host)).status).toBe(200);
  // The API's client and the worker's connection each came through the mTLS front.
  expect(front.counts.authorized).toBeGreaterThanOrEqual(2);
});

test('without a client certificate, or with one another CA signed, nothing connects', async () => {
  const refusedBefore = front.counts.refused;
  const attempt = (tls: TLSConfig) => Connection.connect({ address: front.address, connectTimeout: 3000, tls }).then(async (c) => {
    await c.workflowService.getSystemInfo({});
    await c.close();
    return 'connected';
  }, (err: Error) => err.message);
  const ca = readFileSync(front.files.ca);
  expect(await attempt({ serverRootCACertificate: ca, serverNameOverride: 'localhost' })).not.toBe('connected');
  expect(await attempt({ serverRootCACertificate: ca, serverNameOverride: 'localhost', clientCertPair: { crt: readFileSync(front.files.otherCert), key: readFileSync(front.files.otherKey) } })).not.toBe('connected');
  expect(front.counts.refused).toBeGreaterThan(refusedBefore);
});

test('half a client certificate is a configuration error', () => {
  expect(() => loadConfig({ TEMPORAL_TLS_CERT: front.files.clientCert })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/);
  expect(() => loadConfig({ TEMPORAL_TLS_CA: front.files.ca })).toThrow(/need TEMPORAL_TLS_CERT/);
  expect(() => loadConfig({ TEMPORAL_TLS_CERT: 'relative/path', TEMPORAL_TLS_KEY: '/k' })).toThrow(/absolute/);
});
