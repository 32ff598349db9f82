// A deploy request runs on the host its environment is placed on, else the installation's own.
import { expect, test } from 'vitest';
import { requestBase } from '../../src/domain/deploy-request.js';
import { privateIPv4, publishAddress } from '../../src/host-addresses.js';

const app = { id: 'app_1', name: 'web', kind: 'image' as const };
const settings = { queuePolicy: 'latest-wins' as const, cancelSuperseded: true, retention: 3, drainSeconds: 0, watch: { seconds: 0, maxErrorRatio: 0.05, maxP95Ms: 2000, failedProbes: 3 }, standbySeconds: 0, strategy: null };
const site = { appsDomain: 'localhost', hostId: 'local', traefikPort: 7481, httpsPort: 7443, publicUrl: 'http://127.0.0.1:7480' };

test('the environment’s host wins over the installation’s own', () => {
  expect(requestBase(app, { id: 'env_1', name: 'prod', domains: [], patternDomain: null, hostId: 'h2' }, settings, site).hostId).toBe('h2');
  expect(requestBase(app, { id: 'env_1', name: 'prod', domains: [], patternDomain: null, hostId: null }, settings, site).hostId).toBe('local');
  expect(requestBase(app, { id: 'env_1', name: 'prod', domains: [], patternDomain: null }, settings, site).hostId).toBe('local');
});

test('containers publish on an IPv4 address: given as is, a host name resolved', async () => {
  expect(await publishAddress('10.213.4.2')).toBe('10.213.4.2');
  expect(await publishAddress('localhost')).toMatch(/^127\./);
  // Never every interface, nor a public address: Docker's published ports pass by the firewall.
  await expect(publishAddress('0.0.0.0')).rejects.toThrow(/private address/);
  await expect(publishAddress('203.0.113.7')).rejects.toThrow(/private address/);
  expect(['10.0.0.1', '172.31.255.1', '192.168.1.2', '100.100.1.1', '127.0.0.2'].every(privateIPv4)).toBe(true);
  expect(['0.0.0.0', '172.32.0.1', '8.8.8.8', '100.128.0.1', '192.169.0.1'].some(privateIPv4)).toBe(false);
});

test('the hosts of a request: the apps-domain name, the own domains, then the pattern name', () => {
  const env = { id: 'env_1', name: 'prod', domains: ['shop.test'], patternDomain: 'prod.shop.example.com' };
  expect(requestBase(app, env, settings, site).hosts).toEqual(['web.prod.localhost', 'shop.test', 'prod.shop.example.com']);
});

test('the environment’s strategy is the request’s, for every kind', () => {
  const env = { id: 'env_1', name: 'prod', domains: [], patternDomain: null };
  expect(requestBase(app, env, { ...settings, strategy: 'blue-green' }, site)).toMatchObject({ blueGreen: true, canary: null });
  expect(requestBase(app, { ...env, canary: { steps: [10] } }, settings, site).canary?.steps).toEqual([10]);
  expect(requestBase(app, { ...env, canary: { steps: [10] } }, { ...settings, strategy: 'all-at-once' }, site)).not.toHaveProperty('blueGreen');
  expect(requestBase({ ...app, kind: 'stack' }, env, { ...settings, strategy: 'blue-green' }, site)).toMatchObject({ canary: null, blueGreen: true });
  // A static site runs a canary too (src/domain/static-canary.ts), with the environment's settings.
  expect(requestBase({ ...app, kind: 'static' }, { ...env, canary: { steps: [10] } }, { ...settings, strategy: 'canary' }, site).canary?.steps).toEqual([10]);
  expect(requestBase({ ...app, kind: 'static' }, env, { ...settings, strategy: 'canary' }, site)).not.toHaveProperty('blueGreen');
});
