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

  test('apply takes in what an activity recorded; end closes the current phase', () => {
    const t = new PhaseTracker();
    t.start('resolve');
    t.apply([
      { phase: 'resolve', outcome: 'succeeded', at: 1 },
      { phase: 'create', outcome: 'skipped', message: 'reusing 1 retained container(s)', at: 2 },
      { phase: 'start', outcome: 'running', at: 2 },
    ]);
    expect(t.active).toBe('start');
    expect(t.end('failed', 'boom').map((w) => [w.phase, w.outcome, w.message])).toEqual([['start', 'failed', 'boom']]);
    expect(t.end('failed')).toEqual([]);
    expect(t.snapshot().map((r) => [r.phase, r.outcome])).toEqual([
      ['resolve', 'succeeded'],
      ['create', 'skipped'],
      ['start', 'failed'],
    ]);
  });
});

test('the health gate budget covers the start period and every allowed probe', () => {
  const budget = healthGateBudgetMs(DEFAULT_HEALTH_CHECK);
  expect(budget).toBeGreaterThan(DEFAULT_HEALTH_CHECK.startPeriodMs);
  expect(budget).toBe(30_000 + 3000 * (3 + 1 + 1));
});
