// How every deploy workflow ends before its point of no return: the outcome (an abort decides
// it even when the step it interrupted ended another way), the saga's undo in reverse, and the
// final record. Shared by the deploy workflows of every kind of app.
import { CancellationScope, isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { DeploymentStatus } from '../src/domain/deployment.js';
import type { PhaseOutcome, PhaseWrite } from '../src/domain/phases.js';
import type { AbortReason } from '../src/domain/workflow-definitions.js';
import { STORE } from './activity-profiles.js';
import { describeFailure, type FailureDescription } from './failure.js';
import type { PhaseTracker } from './phase-tracker.js';

/** How the deployment is ending, for an undo that records phases of its own. */
export interface Ending {
  outcome: Extract<PhaseOutcome, 'failed' | 'cancelled'>;
  message: string;
}

/**
 * The undo of one step. Phase changes it returns are recorded with the deployment's end (an
 * undo that records its own phase, like a stack's revert, ends the running phase first).
 */
export type Undo = (ending: Ending) => Promise<PhaseWrite[] | void>;

export interface Abandoned {
  status: DeploymentStatus;
  failure: FailureDescription;
}

/** How a deploy ends when the part before its point of no return threw `err`. */
export function endingOf(err: unknown, reason: AbortReason | null): Abandoned & { cancelled: boolean } {
  const cancelled = reason !== null || isCancellation(err);
  const status: DeploymentStatus = cancelled ? (reason?.kind === 'superseded' ? 'superseded' : 'cancelled') : 'failed';
  const failure: FailureDescription = cancelled
    ? reason?.kind === 'superseded'
      ? { message: `superseded by ${reason.by}`, type: 'Superseded' }
      : { message: 'cancelled', type: 'Cancelled' }
    : describeFailure(err);
  return { status, cancelled, failure };
}

export async function abandonDeployment(input: {
  deploymentId: string;
  err: unknown;
  abort: AbortReason | null;
  undo: Undo[];
  phases: PhaseTracker;
}): Promise<Abandoned> {
  const { deploymentId, abort: reason, phases } = input;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const { status, cancelled, failure } = endingOf(input.err, reason);
  // Undo in reverse, whatever happens to this workflow meanwhile; one failed undo must not
  // stop the others.
  await CancellationScope.nonCancellable(async () => {
    const outcome = cancelled ? 'cancelled' : 'failed';
    const writes: PhaseWrite[] = [];
    for (const step of [...input.undo].reverse()) {
      const undone = await step({ outcome, message: failure.message }).catch(() => undefined);
      if (undone) writes.push(...undone);
    }
    await store.completeDeployment({
      deploymentId,
      status,
      message: failure.message,
      errorType: failure.type,
      supersededBy: reason?.by ?? null,
      at: Date.now(),
      phases: [...writes, ...phases.end(outcome, failure.message)],
      endRunning: { outcome, message: failure.message },
    });
  });
  return { status, failure };
}
