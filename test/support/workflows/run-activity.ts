// A test's workflow (bundled by the test's own worker, never registered by Berth): runs one of
// Berth's activities by name with a short retry policy and answers with how its last attempt
// failed, as Temporal recorded it.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';

export interface ActivityRun {
  name: string;
  args: unknown[];
  maximumAttempts: number;
  nonRetryableErrorTypes: string[];
  /** Each attempt's start-to-close timeout (default 30 s). */
  startToCloseTimeout?: string;
}

export interface ActivityOutcome {
  failed: boolean;
  /** The failure type Temporal recorded (ApplicationFailure.type). */
  type: string | null;
  message: string;
}

export async function runActivity(run: ActivityRun): Promise<ActivityOutcome> {
  const activities = proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({
    startToCloseTimeout: run.startToCloseTimeout ?? '30s',
    retry: { initialInterval: '20ms', backoffCoefficient: 1, maximumAttempts: run.maximumAttempts, nonRetryableErrorTypes: run.nonRetryableErrorTypes },
  });
  try {
    await (activities[run.name] as (...args: unknown[]) => Promise<unknown>)(...run.args);
    return { failed: false, type: null, message: 'succeeded' };
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    return { failed: true, type: cause instanceof ApplicationFailure ? (cause.type ?? null) : null, message: cause instanceof Error ? cause.message : String(cause) };
  }
}
