// The part of a deployment before its point of no return. An abort (cancel, or superseded by a
// newer request) cancels it until the deployment commits; afterwards the deployment finishes
// and a rollback is the way back. Shared by every deploy workflow.
import { CancellationScope, isCancellation, setHandler } from '@temporalio/workflow';
import type { DeploymentStatus } from '../src/domain/deployment.js';
import { abortDeploySignal, type AbortReason } from '../src/domain/workflow-definitions.js';
import { describeFailure, type FailureDescription } from './failure.js';

export interface Outcome {
  status: DeploymentStatus;
  cancelled: boolean;
  failure: FailureDescription;
  /** The newer deployment that superseded this one. */
  supersededBy: string | null;
}

export class BeforeCommit {
  private readonly scope = new CancellationScope();
  private committed = false;
  private reason: AbortReason | null = null;

  /** Installs the abortDeploySignal handler: call once, at the start of the workflow. */
  constructor() {
    setHandler(abortDeploySignal, (reason) => {
      if (this.committed || this.reason) return;
      this.reason = reason;
      this.scope.cancel();
    });
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.scope.run(work);
  }

  /** From here on an abort is ignored. */
  commit(): void {
    this.committed = true;
  }

  /** How the deployment ends when the part before commit threw `err`. */
  outcome(err: unknown): Outcome {
    const reason = this.reason;
    // An abort decides the outcome even when the step it interrupted ended another way.
    const cancelled = reason !== null || isCancellation(err);
    const status: DeploymentStatus = cancelled ? (reason?.kind === 'superseded' ? 'superseded' : 'cancelled') : 'failed';
    const failure = cancelled
      ? { message: reason?.kind === 'superseded' ? `superseded by ${reason.by}` : 'cancelled', type: null }
      : describeFailure(err);
    return { status, cancelled, failure, supersededBy: reason?.by ?? null };
  }
}
