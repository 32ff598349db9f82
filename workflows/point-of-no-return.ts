// The part of a deploy that can still be aborted: work before the traffic switch runs in this
// scope, and abortDeploySignal (the lane cancelling or superseding the deploy) cancels it until
// the deploy commits. Shared by the deploy workflows of every kind of app.
import { CancellationScope, setHandler } from '@temporalio/workflow';
import { abortDeploySignal, type AbortReason } from '../src/domain/workflow-definitions.js';

export class PointOfNoReturn {
  readonly beforeCommit = new CancellationScope();
  private reason: AbortReason | null = null;
  private committed = false;

  constructor() {
    setHandler(abortDeploySignal, (reason) => {
      // Once traffic has moved the deploy finishes; a rollback is the way back.
      if (this.committed || this.reason) return;
      this.reason = reason;
      this.beforeCommit.cancel();
    });
  }

  /** Why the deploy was aborted, if it was. */
  get abort(): AbortReason | null {
    return this.reason;
  }

  /** Traffic has moved: aborts are ignored from now on. */
  commit(): void {
    this.committed = true;
  }
}
