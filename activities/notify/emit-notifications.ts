// Emitting an event: the channels whose subscriptions want it each get a message row (the
// delivery log) and a deliverNotification workflow. Both are keyed by a message id derived from
// the channel and the event's key, so an emitter that runs again (a retried activity, a worker
// that died half-way) finds the row and the workflow it made and sends nothing twice; once the
// workflow has started, Temporal carries the delivery through any crash.
import type { Client } from '@temporalio/client';
import { and, eq, isNull, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { notificationChannels, notificationMessages, notificationSubscriptions } from '../../db/schema/index.js';
import { subscriptionMatches, type NotificationEvent } from '../../src/domain/notification-events.js';
import type { NotificationRetry } from '../../src/domain/workflow-contracts.js';
import type { Logger } from '../../src/logger.js';
import { notificationMessageId, startDelivery } from '../../src/notifications/delivery-start.js';

/** A subscription of an enabled channel, with the project the channel belongs to (null: instance-wide). */
export interface ChannelSubscription {
  channelId: string;
  projectId: string | null;
  appId: string | null;
  environmentName: string | null;
  events: string[];
}

export interface NotificationEmitter {
  /** To every channel that subscribes to the event; resolves once each delivery is under way. */
  emit(event: NotificationEvent): Promise<string[]>;
  /**
   * Every enabled channel's subscriptions, for an emitter that reads what its event says only
   * when some channel may want it (none, the common case: one statement instead of two).
   */
  subscriptions(): Promise<ChannelSubscription[]>;
  /** `emit`, among subscriptions `subscriptions()` read. */
  emitAmong(subscriptions: ChannelSubscription[], event: NotificationEvent): Promise<string[]>;
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

  const columns = {
    channelId: notificationSubscriptions.channelId,
    projectId: notificationChannels.projectId,
    appId: notificationSubscriptions.appId,
    environmentName: notificationSubscriptions.environmentName,
    events: notificationSubscriptions.events,
  };
  const subscribed = (where: SQL | undefined) =>
    db.select(columns).from(notificationSubscriptions).innerJoin(notificationChannels, eq(notificationChannels.id, notificationSubscriptions.channelId)).where(and(eq(notificationChannels.enabled, true), where));

  const emitAmong = (subscriptions: ChannelSubscription[], event: NotificationEvent) => {
    // A project's channels hear of its own events; instance-wide channels of every project's.
    const heard = subscriptions.filter((s) => s.projectId === null || s.projectId === event.projectId);
    return emitTo([...new Set(heard.filter((s) => subscriptionMatches(s, event)).map((s) => s.channelId))].sort(), event);
  };

  return {
    async emit(event) {
      const projectChannels = event.projectId === null ? isNull(notificationChannels.projectId) : or(isNull(notificationChannels.projectId), eq(notificationChannels.projectId, event.projectId));
      return emitAmong(await subscribed(projectChannels), event);
    },
    subscriptions: () => subscribed(undefined),
    emitAmong,
  };
}
