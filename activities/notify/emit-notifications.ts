// Emitting an event: the channels whose subscriptions want it each get a message row (the
// delivery log) and a deliverNotification workflow. Both are keyed by a message id derived from
// the channel and the event's key, so an emitter that runs again (a retried activity, a worker
// that died half-way) finds the row and the workflow it made and sends nothing twice; once the
// workflow has started, Temporal carries the delivery through any crash.
import type { Client } from '@temporalio/client';
import { and, eq, isNull, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { notificationChannels, notificationMessages, notificationSubscriptions } from '../../db/schema/index.js';
import { subscriptionMatches, type NotificationEvent } from '../../src/domain/notification-events.js';
import type { NotificationRetry } from '../../src/domain/workflow-contracts.js';
import type { Logger } from '../../src/logger.js';
import { notificationMessageId, startDelivery } from '../../src/notifications/delivery-start.js';

export interface NotificationEmitter {
  /** To every channel that subscribes to the event; resolves once each delivery is under way. */
  emit(event: NotificationEvent): Promise<string[]>;
}

export function createNotificationEmitter(deps: { db: Db; temporal: Client; log: Logger; retry: NotificationRetry }): NotificationEmitter {
  const { db, temporal, log } = deps;

  async function emitTo(channelIds: string[], event: NotificationEvent): Promise<string[]> {
    const ids: string[] = [];
    for (const channelId of channelIds) {
      const messageId = notificationMessageId(channelId, event.key);
      await db.insert(notificationMessages).values({ id: messageId, channelId, eventType: event.type, event }).onConflictDoNothing();
      await startDelivery(temporal, messageId, deps.retry);
      ids.push(messageId);
    }
    if (ids.length > 0) log.info({ event: event.type, key: event.key, messages: ids.length }, 'notifications emitted');
    return ids;
  }

  return {
    async emit(event) {
      const rows = await db
        .select({ channelId: notificationSubscriptions.channelId, appId: notificationSubscriptions.appId, environmentName: notificationSubscriptions.environmentName, events: notificationSubscriptions.events })
        .from(notificationSubscriptions)
        .innerJoin(notificationChannels, eq(notificationChannels.id, notificationSubscriptions.channelId))
        .where(
          and(
            eq(notificationChannels.enabled, true),
            // A project's channels hear of its own events; instance-wide channels of every project's.
            event.projectId === null ? isNull(notificationChannels.projectId) : or(isNull(notificationChannels.projectId), eq(notificationChannels.projectId, event.projectId)),
          ),
        );
      const channels = [...new Set(rows.filter((s) => subscriptionMatches(s, event)).map((s) => s.channelId))].sort();
      return emitTo(channels, event);
    },
  };
}
