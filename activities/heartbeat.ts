// Long or blocking activity work heartbeats on a timer, so a crashed worker is noticed within
// the heartbeat timeout (not the start-to-close timeout) and cancellation reaches the activity.
import { Context } from '@temporalio/activity';

export const HEARTBEAT_EVERY_MS = 1000;

export async function withHeartbeat<T>(work: (signal: AbortSignal) => Promise<T>, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat(details?.());
  const timer = setInterval(() => ctx.heartbeat(details?.()), HEARTBEAT_EVERY_MS);
  try {
    return await work(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
