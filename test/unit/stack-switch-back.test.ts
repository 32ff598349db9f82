import { expect, test } from 'vitest';
import { switchBackFailures } from '../../src/domain/stack-switch-back.js';

const why = (err: unknown) => (err instanceof Error ? err.message : String(err));

test('every step settled: no failure to name', async () => {
  const results = await Promise.allSettled([Promise.resolve(1), Promise.resolve(undefined)]);
  expect(switchBackFailures('revert', ['db', 'worker'], results, why)).toBeNull();
  expect(switchBackFailures('revert', [], [], why)).toBeNull();
});

test('the services whose step was rejected are named, with why, in their order', async () => {
  const results = await Promise.allSettled([
    Promise.reject(new Error('router retries ran out')),
    Promise.resolve(),
    Promise.reject(new Error('no such service')),
  ]);
  expect(switchBackFailures('route switch-back', ['api', 'web', 'admin'], results, why)).toBe(
    'route switch-back failed for api (router retries ran out), admin (no such service)',
  );
});
