// The delivery activity: one message to its channel. Its row says whether it went already (a
// worker that died after sending and recording: nothing more to do); the secrets are opened
// here, in the worker, and never enter the workflow's history.
import { Context } from '@temporalio/activity';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { notificationChannels, notificationMessages } from '../../db/schema/index.js';
import type { NotificationOutcome } from '../../src/domain/workflow-contracts.js';
import type { Logger } from '../../src/logger.js';
import { channelSecretContext, joinDestination } from '../../src/notifications/channel-destinations.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { withHeartbeat } from '../heartbeat.js';
import { sendToChannel, type ServiceEndpoints } from './send-to-channel.js';

export function createNotificationActivities(deps: { db: Db; box: SecretBox; endpoints: ServiceEndpoints; log: Logger }) {
  const { db, box, log } = deps;
  return {
    async sendNotification(input: { messageId: string }): Promise<NotificationOutcome> {
      const [row] = await db
        .select({ m: notificationMessages, c: notificationChannels })
        .from(notificationMessages)
        .innerJoin(notificationChannels, eq(notificationChannels.id, notificationMessages.channelId))
        .where(eq(notificationMessages.id, input.messageId));
      // The channel was removed (its messages with it), or disabled since: nothing to send.
      if (!row) return 'dropped';
      if (row.m.status === 'sent') return 'already-sent';
      if (!row.c.enabled) return 'dropped';
      const secrets = JSON.parse(box.open(row.c.secretsSealed, channelSecretContext(row.c.id))) as Record<string, unknown>;
      const attempt = Context.current().info.attempt;
      try {
        // Heartbeats: a worker that dies mid-send is noticed in seconds and the next attempt runs.
        const sent = await withHeartbeat(() => sendToChannel(joinDestination(row.c.settings, secrets), row.m.event, row.m.id, deps.endpoints, Math.floor(Date.now() / 1000)));
        await db
          .update(notificationMessages)
          .set({ status: 'sent', attempts: attempt, responseStatus: sent.status, lastError: null, sentAt: new Date() })
          .where(eq(notificationMessages.id, row.m.id));
        log.info({ messageId: row.m.id, channelId: row.c.id, kind: row.c.kind, attempt }, 'notification sent');
        return 'sent';
      } catch (err) {
        const details = (err as { details?: unknown[] }).details?.[0] as { status?: number } | undefined;
        await db
          .update(notificationMessages)
          .set({ attempts: attempt, lastError: (err as Error).message.slice(0, 500), responseStatus: details?.status ?? null })
          .where(eq(notificationMessages.id, row.m.id));
        log.warn({ messageId: row.m.id, channelId: row.c.id, kind: row.c.kind, attempt, err: (err as Error).message }, 'notification not sent');
        throw err;
      }
    },

    /** Out of attempts (or refused for good): the log says so. */
    async markNotificationFailed(input: { messageId: string; message: string }): Promise<void> {
      await db
        .update(notificationMessages)
        .set({ status: 'failed', lastError: input.message.slice(0, 500) })
        .where(and(eq(notificationMessages.id, input.messageId), eq(notificationMessages.status, 'pending')));
    },
  };
}
