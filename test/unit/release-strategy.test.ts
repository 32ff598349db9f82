// The strategy a deploy takes: its own, else its environment's setting, else the canary settings.
import { expect, test } from 'vitest';
import { appKindRunsStrategy, environmentStrategy, requestStrategy } from '../../src/domain/release-strategy.js';

test('without a setting the canary settings choose, as before the setting existed', () => {
  expect(environmentStrategy(null, null)).toBe('all-at-once');
  expect(environmentStrategy(null, { steps: [10] })).toBe('canary');
  expect(environmentStrategy('blue-green', { steps: [10] })).toBe('blue-green');
});

test('a deploy that names a strategy wins over the environment’s', () => {
  const env = { strategy: 'blue-green' as const, canary: { stepSeconds: 5 } };
  expect(requestStrategy('image', env)).toEqual({ canary: null, blueGreen: true });
  expect(requestStrategy('image', env, { strategy: 'all-at-once' })).toEqual({ canary: null });
  expect(requestStrategy('git', env, { canary: { steps: [20] } }).canary).toMatchObject({ steps: [20], stepSeconds: 5 });
  expect(requestStrategy('image', { strategy: 'canary', canary: null }).canary).toMatchObject({ steps: [5, 25, 50], stepSeconds: 60 });
});

test('canary and blue-green are for every kind: image, git, stack and static apps', () => {
  for (const kind of ['image', 'git', 'stack', 'static']) expect(appKindRunsStrategy(kind, 'blue-green') && appKindRunsStrategy(kind, 'canary')).toBe(true);
  expect(appKindRunsStrategy('static', 'all-at-once')).toBe(true);
  expect(appKindRunsStrategy('other', 'canary') || appKindRunsStrategy('other', 'blue-green')).toBe(false);
  expect(requestStrategy('static', { strategy: 'canary', canary: null }).canary).toMatchObject({ steps: [5, 25, 50] });
  expect(requestStrategy('static', { strategy: 'blue-green' })).toEqual({ canary: null, blueGreen: true });
  expect(requestStrategy('stack', { strategy: 'blue-green' })).toEqual({ canary: null, blueGreen: true });
  expect(requestStrategy('stack', { strategy: 'canary', canary: { steps: [30] } }).canary).toMatchObject({ steps: [30] });
});
