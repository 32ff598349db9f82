import { describe, expect, test } from 'vitest';
import { appKindRunsBlueGreen, previewHost, previewRouteKey } from '../../src/domain/blue-green.js';
import { resolveCanary } from '../../src/domain/canary.js';
import { stackRouteEnvironment } from '../../src/domain/stack.js';

describe('blue-green', () => {
  test('the preview host name is next.<the environment’s first host name>', () => {
    expect(previewHost(['web.prod.apps.example', 'www.example.com'])).toBe('next.web.prod.apps.example');
    expect(previewHost([])).toBeNull();
  });

  test('the preview route is a key of its environment (reconcile keeps it while the environment is kept)', () => {
    expect(previewRouteKey('env_0abc')).toBe('env_0abc-next');
    expect(stackRouteEnvironment(previewRouteKey('env_0abc'))).toBe('env_0abc');
  });

  test('a blue-green deploy runs no canary, whatever the environment’s canary setting', () => {
    expect(resolveCanary({ steps: [10] }, { strategy: 'blue-green' })).toBeNull();
    expect(resolveCanary({ steps: [10] })).not.toBeNull();
  });

  test('image and git apps only', () => {
    expect(['image', 'git', 'static', 'stack'].map(appKindRunsBlueGreen)).toEqual([true, true, false, false]);
  });
});
