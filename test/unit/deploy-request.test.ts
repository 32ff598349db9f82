// A deploy request runs on the host its environment is placed on, else the installation's own.
import { expect, test } from 'vitest';
import { requestBase } from '../../src/domain/deploy-request.js';
import { publishAddress } from '../../src/host-addresses.js';

const app = { id: 'app_1', name: 'web', kind: 'image' as const };
const settings = { queuePolicy: 'latest-wins' as const, cancelSuperseded: true, retention: 3, drainSeconds: 0, watch: { seconds: 0, maxErrorRatio: 0.05, maxP95Ms: 2000, failedProbes: 3 }, standbySeconds: 0 };
const site = { appsDomain: 'localhost', hostId: 'local', traefikPort: 7481, httpsPort: 7443, publicUrl: 'http://127.0.0.1:7480' };

test('the environment’s host wins over the installation’s own', () => {
  expect(requestBase(app, { id: 'env_1', name: 'prod', domains: [], patternDomain: null, hostId: 'h2' }, settings, site).hostId).toBe('h2');
  expect(requestBase(app, { id: 'env_1', name: 'prod', domains: [], patternDomain: null, hostId: null }, settings, site).hostId).toBe('local');
  expect(requestBase(app, { id: 'env_1', name: 'prod', domains: [], patternDomain: null }, settings, site).hostId).toBe('local');
});

test('containers publish on an IPv4 address: given as is, a host name resolved', async () => {
  expect(await publishAddress('10.213.4.2')).toBe('10.213.4.2');
  expect(await publishAddress('localhost')).toMatch(/^127\./);
});

test('the hosts of a request: the apps-domain name, the own domains, then the pattern name', () => {
  const env = { id: 'env_1', name: 'prod', domains: ['shop.test'], patternDomain: 'prod.shop.example.com' };
  expect(requestBase(app, env, settings, site).hosts).toEqual(['web.prod.localhost', 'shop.test', 'prod.shop.example.com']);
});
