// Turns whatever a step threw into the type and message a deployment records.
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/workflow';

export interface FailureDescription {
  type: string | null;
  message: string;
}

export function describeFailure(err: unknown): FailureDescription {
  let cause: unknown = err;
  // Activity and child failures wrap the real one.
  while (cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) {
    if (!cause.cause) break;
    cause = cause.cause;
  }
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? null, message: cause.message };
  if (cause instanceof TimeoutFailure) return { type: 'Timeout', message: `timed out (${cause.timeoutType})` };
  if (cause instanceof Error) return { type: null, message: cause.message };
  return { type: null, message: String(cause) };
}
