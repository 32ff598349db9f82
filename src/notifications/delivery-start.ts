// Starting the delivery of one message: the message id derives from the channel and the
// event's key (and is the webhook-id receivers de-duplicate by); the workflow id from the
// message id, so a second start for the same message is refused by Temporal.
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { WORKFLOWS, type NotificationOutcome, type NotificationRetry } from '../domain/workflow-contracts.js';
import { notificationWorkflowId } from '../domain/workflow-ids.js';
import { executeWorkflow, startWorkflow } from '../temporal/workflow-starts.js';

export function notificationMessageId(channelId: string, eventKey: string): string {
  return `msg_${createHash('sha256').update(`${channelId}\n${eventKey}`).digest('base64url').slice(0, 26)}`;
}

const options = (messageId: string, retry: NotificationRetry) => ({
  workflowId: notificationWorkflowId(messageId),
  args: [{ messageId, retry }] as [{ messageId: string; retry: NotificationRetry }],
  // A run that ended (sent, or out of attempts) is not started again for the same message.
  workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
});

/** Starts the delivery unless it was started before. */
export async function startDelivery(temporal: Client, messageId: string, retry: NotificationRetry): Promise<void> {
  try {
    await startWorkflow(temporal, WORKFLOWS.deliverNotification, options(messageId, retry));
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Delivers and waits for the outcome ("send test"). */
export function deliverNow(temporal: Client, messageId: string, retry: NotificationRetry): Promise<NotificationOutcome> {
  return executeWorkflow(temporal, WORKFLOWS.deliverNotification, options(messageId, retry));
}
