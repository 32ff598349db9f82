import { describe, expect, test } from 'vitest';
import { DEFAULT_HEALTH_CHECK } from '../../src/domain/app-spec.js';
import { resolveSettings } from '../../src/domain/environment-settings.js';
import { DEFAULT_WATCH } from '../../src/domain/post-switch-watch.js';

const app = { replicas: 1, resources: { memoryMb: 128 }, healthCheck: DEFAULT_HEALTH_CHECK };

describe('settings through the parent chain', () => {
  test('the nearest environment that sets a setting wins; then the app; then the default', () => {
    const { settings, sources } = resolveSettings(
      [
        { name: 'dev', own: { drainSeconds: 0 } },
        { name: 'staging', own: { drainSeconds: 7, replicas: 2 } },
        { name: 'prod', own: { retention: 9, replicas: 3, drainSeconds: 5 } },
      ],
      app,
    );
    expect(settings).toMatchObject({ drainSeconds: 0, replicas: 2, retention: 9, standbySeconds: 0, resources: { memoryMb: 128 } });
    expect(sources.drainSeconds).toEqual({ level: 'environment', environment: 'dev' });
    expect(sources.replicas).toEqual({ level: 'environment', environment: 'staging' });
    expect(sources.retention).toEqual({ level: 'environment', environment: 'prod' });
    expect(sources.resources).toEqual({ level: 'app', environment: null });
    expect(sources.standbySeconds).toEqual({ level: 'default', environment: null });
  });

  test('null and absent both mean "not set here"; false and 0 are set', () => {
    const { settings, sources } = resolveSettings(
      [
        { name: 'child', own: { retention: null, cancelSuperseded: false, standbySeconds: 0 } },
        { name: 'parent', own: { retention: 3, cancelSuperseded: true, standbySeconds: 60 } },
      ],
      app,
    );
    expect(settings).toMatchObject({ retention: 3, cancelSuperseded: false, standbySeconds: 0 });
    expect(sources.cancelSuperseded.environment).toBe('child');
  });

  test('the watch merges field by field over the installation defaults', () => {
    const { settings, sources } = resolveSettings(
      [
        { name: 'child', own: { watch: { seconds: 5 } } },
        { name: 'parent', own: { watch: { seconds: 60, maxP95Ms: 900 } } },
      ],
      app,
      45,
    );
    expect(settings.watch).toEqual({ ...DEFAULT_WATCH, seconds: 5, maxP95Ms: 900 });
    expect(sources.watch.environment).toBe('child');
    expect(resolveSettings([{ name: 'alone', own: {} }], app, 45).settings.watch.seconds).toBe(45);
  });
});
