import { describe, expect, test } from 'vitest';
import { appKindRunsBlueGreen, previewHost, previewRouteKey, previewTls } from '../../src/domain/blue-green.js';
import { routeTls } from '../../src/domain/https.js';
import { resolveCanary } from '../../src/domain/canary.js';
import { stackRouteEnvironment } from '../../src/domain/stack.js';

describe('blue-green', () => {
  test('the preview host name is next.<the environment’s first host name>', () => {
    expect(previewHost(['web.prod.apps.example', 'www.example.com'])).toBe('next.web.prod.apps.example');
    expect(previewHost([])).toBeNull();
  });

  test('the preview is served over HTTPS when its host name can have the certificate', () => {
    const hosts = ['web.prod.apps.example', 'shop.example'];
    const auto = routeTls({ mode: 'auto', challenge: 'http-01', redirect: true, hsts: null, www: 'none' }, hosts, 443);
    expect(previewTls(auto, 'next.web.prod.apps.example', false)).toMatchObject({ mode: 'auto', resolver: 'berth-http', certHosts: ['next.web.prod.apps.example'], redirect: true });
    const custom = routeTls({ mode: 'custom', challenge: 'http-01', redirect: true, hsts: null, www: 'none' }, hosts, 443);
    expect(previewTls(custom, 'next.web.prod.apps.example', true)?.certHosts).toEqual(['next.web.prod.apps.example']);
    // An upload that does not name it: plain HTTP, not a redirect to a certificate browsers refuse.
    expect(previewTls(custom, 'next.web.prod.apps.example', false)).toBeUndefined();
    expect(previewTls(auto, 'next.web.prod.localhost', true)).toBeUndefined();
    expect(previewTls(undefined, 'next.web.prod.apps.example', true)).toBeUndefined();
  });

  test('the preview route is a key of its environment (reconcile keeps it while the environment is kept)', () => {
    expect(previewRouteKey('env_0abc')).toBe('env_0abc-next');
    expect(stackRouteEnvironment(previewRouteKey('env_0abc'))).toBe('env_0abc');
  });

  test('a blue-green deploy runs no canary, whatever the environment’s canary setting', () => {
    expect(resolveCanary({ steps: [10] }, { strategy: 'blue-green' })).toBeNull();
    expect(resolveCanary({ steps: [10] })).not.toBeNull();
  });

  test('image, git, static and stack apps', () => {
    expect(['image', 'git', 'static', 'stack', 'other'].map(appKindRunsBlueGreen)).toEqual([true, true, true, true, false]);
  });
});
