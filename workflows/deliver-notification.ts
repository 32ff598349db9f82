// One notification to one channel. The activity is retried by the policy the emitter chose
// (BERTH_NOTIFY_*): a receiver that is down, a worker that dies mid-send — the next attempt runs
// on whichever worker is alive. A refusal no retry can change ends it at once; either way the
// delivery log ends as sent or failed.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import { PERMANENT_ERROR_TYPES } from '../src/errors.js';
import type { NotificationInput, NotificationOutcome } from '../src/domain/workflow-contracts.js';
import { STORE } from './activity-profiles.js';
import { describeFailure } from './failure.js';

export async function deliverNotification(input: NotificationInput): Promise<NotificationOutcome> {
  const { sendNotification } = proxyActivities<ControlActivities>({
    startToCloseTimeout: '1m',
    heartbeatTimeout: '3s',
    retry: {
      initialInterval: input.retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: input.retry.maximumIntervalMs,
      maximumAttempts: input.retry.maximumAttempts,
      nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
    },
  });
  const store = proxyLocalActivities<ControlActivities>(STORE);
  try {
    return await sendNotification({ messageId: input.messageId });
  } catch (err) {
    await store.markNotificationFailed({ messageId: input.messageId, message: describeFailure(err).message });
    return 'failed';
  }
}
