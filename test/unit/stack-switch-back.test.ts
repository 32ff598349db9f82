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

test('a rejection does not stop its siblings: every step runs to its end before the failures are named', async () => {
  const done: string[] = [];
  const step = (name: string, ms: number, fail: boolean) =>
    new Promise<void>((resolve, reject) => setTimeout(() => (done.push(name), fail ? reject(new Error(`${name} failed`)) : resolve()), ms));
  const results = await Promise.allSettled([step('api', 1, true), step('web', 20, false)]);
  expect(done).toEqual(['api', 'web']);
  expect(switchBackFailures('route switch-back', ['api', 'web'], results, why)).toBe('route switch-back failed for api (api failed)');
});
