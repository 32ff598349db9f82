import { describe, expect, test } from 'vitest';
import { PhaseTracker } from '../../workflows/phase-tracker.js';
import { DEFAULT_HEALTH_CHECK, healthGateBudgetMs } from '../../src/domain/app-spec.js';

describe('PhaseTracker', () => {
  test('next ends the running phase and starts the following one', () => {
    const t = new PhaseTracker();
    t.start('queued');
    const writes = t.next('resolve', 'pinned');
    expect(writes.map((w) => [w.phase, w.outcome, w.message ?? null])).toEqual([
      ['queued', 'succeeded', 'pinned'],
      ['resolve', 'running', null],
    ]);
    expect(t.active).toBe('resolve');
  });

  test('skip records a phase that did not run, end closes the current one', () => {
    const t = new PhaseTracker();
    t.start('resolve');
    const skipped = t.skip('create', 'reusing 1 retained container(s)');
    expect(skipped.map((w) => [w.phase, w.outcome])).toEqual([
      ['resolve', 'succeeded'],
      ['create', 'skipped'],
    ]);
    t.start('start');
    expect(t.end('failed', 'boom').map((w) => [w.phase, w.outcome, w.message])).toEqual([['start', 'failed', 'boom']]);
    expect(t.end('failed')).toEqual([]);
    expect(t.snapshot().map((r) => r.outcome)).toEqual(['succeeded', 'skipped', 'failed']);
  });
});

test('the health gate budget covers the start period and every allowed probe', () => {
  const budget = healthGateBudgetMs(DEFAULT_HEALTH_CHECK);
  expect(budget).toBeGreaterThan(DEFAULT_HEALTH_CHECK.startPeriodMs);
  expect(budget).toBe(30_000 + 3000 * (3 + 1 + 1));
});
