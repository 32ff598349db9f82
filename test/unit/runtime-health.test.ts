// The runtime watch's decisions: transitions only, after the release's own thresholds; a new
// live release starts over; a restart loop is told once per loop.
import { expect, test } from 'vitest';
import { nextHealth, recordRestart, type HealthTally } from '../../src/domain/runtime-health.js';

const t = { failureThreshold: 3, successThreshold: 2 };

function run(passes: boolean[], releaseId = 'rel_a', start?: HealthTally) {
  let tally = start;
  const transitions: string[] = [];
  passes.forEach((ok, i) => {
    const next = nextHealth(tally, { releaseId, ok, at: 1000 + i }, t);
    tally = next.tally;
    if (next.transition) transitions.push(`${next.transition}@${i}`);
  });
  return { tally: tally!, transitions };
}

test('lost after failureThreshold failing passes in a row, once; regained after successThreshold good ones', () => {
  expect(run([false, false, true, false, false]).transitions).toEqual([]);
  const r = run([false, false, false, false, false, false, true, false, true, true, true]);
  expect(r.transitions).toEqual(['lost@2', 'regained@9']);
  expect(r.tally).toMatchObject({ state: 'healthy', since: 1009 });
});

test('a new live release starts healthy, whatever the last one was', () => {
  const down = run([false, false, false]).tally;
  expect(down.state).toBe('unhealthy');
  const next = nextHealth(down, { releaseId: 'rel_b', ok: true, at: 5 }, t);
  expect(next).toEqual({ tally: { releaseId: 'rel_b', state: 'healthy', streak: 0, since: 5 }, transition: null });
});

test('a restart loop is reported when count restarts fall within the window, and again only after a quiet window', () => {
  const policy = { count: 3, windowMs: 100 };
  let h = recordRestart(undefined, 0, policy);
  expect(h.loop).toBe(false);
  h = recordRestart(h.history, 50, policy);
  h = recordRestart(h.history, 99, policy);
  expect(h.loop).toBe(true);
  // Still looping: nothing new.
  for (const at of [120, 150, 190]) {
    h = recordRestart(h.history, at, policy);
    expect(h.loop).toBe(false);
  }
  // Spread out, below the count in any window: no loop.
  expect(recordRestart(recordRestart(undefined, 0, policy).history, 200, policy).loop).toBe(false);
  // A quiet window, then a new loop: reported again.
  h = recordRestart(h.history, 400, policy);
  h = recordRestart(h.history, 410, policy);
  h = recordRestart(h.history, 420, policy);
  expect(h.loop).toBe(true);
});
