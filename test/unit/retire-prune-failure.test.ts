// A retireAndPrune whose prune half fails: its failure carries the phases it recorded (retire
// succeeded, prune running) through Temporal's failure conversion, so the deploy's tracker ends
// the prune phase as failed instead of overwriting retire's success.
import { ActivityFailure, ApplicationFailure, DefaultFailureConverter, defaultPayloadConverter, RetryState } from '@temporalio/common';
import { describe, expect, test } from 'vitest';
import { withPhases } from '../../activities/docker/retire-and-prune.js';
import { phasesOfFailure, type PhaseWrite } from '../../src/domain/phases.js';
import { PhaseTracker } from '../../workflows/phase-tracker.js';

const recorded: PhaseWrite[] = [
  { phase: 'retire', outcome: 'succeeded', message: 'stopped 1 container(s)', at: 10 },
  { phase: 'prune', outcome: 'running', at: 10 },
];

/** The failure as the workflow sees it: sent through Temporal's converter, wrapped as the activity's. */
function asWorkflowSees(err: ApplicationFailure): ActivityFailure {
  const converter = new DefaultFailureConverter();
  const cause = converter.failureToError(converter.errorToFailure(err, defaultPayloadConverter), defaultPayloadConverter);
  return new ActivityFailure('activity failed', 'retireAndPrune', '7', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'worker', cause);
}

describe('retireAndPrune failure', () => {
  test('keeps the type, retryability and message of what failed, and carries the phases', () => {
    const permanent = withPhases(ApplicationFailure.create({ type: 'Conflict', message: 'removal refused', nonRetryable: true }), recorded);
    expect([permanent.type, permanent.nonRetryable, permanent.message]).toEqual(['Conflict', true, 'removal refused']);
    const plain = withPhases(new TypeError('socket hang up'), recorded);
    expect([plain.type, plain.nonRetryable, plain.message]).toEqual(['TypeError', false, 'socket hang up']);
    expect(phasesOfFailure(asWorkflowSees(plain))).toEqual(recorded);
  });

  test('the tracker then ends prune as failed and leaves retire succeeded', () => {
    const t = new PhaseTracker();
    t.start('retire');
    t.apply(phasesOfFailure(asWorkflowSees(withPhases(new Error('engine away'), recorded))));
    expect(t.end('failed', 'cleanup incomplete: engine away').map((w) => [w.phase, w.outcome])).toEqual([['prune', 'failed']]);
    expect(t.snapshot().map((r) => [r.phase, r.outcome])).toEqual([
      ['retire', 'succeeded'],
      ['prune', 'failed'],
    ]);
  });

  test('other failures carry no phases', () => {
    expect(phasesOfFailure(asWorkflowSees(ApplicationFailure.create({ message: 'x', details: [{ other: 1 }] })))).toEqual([]);
    expect(phasesOfFailure(new Error('x'))).toEqual([]);
    expect(phasesOfFailure(null)).toEqual([]);
  });
});
