// Turns whatever a step threw into the type and message a deployment records. The type is
// always one of the documented ones (src/errors.ts): activities already leave their failures
// typed (src/temporal/activity-failures.ts); a timeout is Timeout, a cancellation Cancelled,
// and a failure of another type (an older worker's "Error", a bug in workflow code) Internal.
import { ActivityFailure, ApplicationFailure, CancelledFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/workflow';
import { isErrorType, type ErrorType } from '../src/errors.js';

export interface FailureDescription {
  type: ErrorType;
  message: string;
}

export function describeFailure(err: unknown): FailureDescription {
  let cause: unknown = err;
  // Activity and child failures wrap the real one.
  while (cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) {
    if (!cause.cause) break;
    cause = cause.cause;
  }
  if (cause instanceof ApplicationFailure) return { type: isErrorType(cause.type) ? cause.type : 'Internal', message: cause.message };
  if (cause instanceof TimeoutFailure) return { type: 'Timeout', message: `timed out (${cause.timeoutType})` };
  if (cause instanceof CancelledFailure) return { type: 'Cancelled', message: cause.message || 'cancelled' };
  if (cause instanceof Error) return { type: 'Internal', message: cause.message };
  return { type: 'Internal', message: String(cause) };
}
