import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { NotificationEvent } from '../../src/domain/notification-events.js';
import { notificationChannels } from './notification-channels.js';

/**
 * One event for one channel: the delivery log, and the de-duplication record. The id derives
 * from the channel and the event's key, so an event emitted again finds its row; it is also the
 * webhook-id receivers de-duplicate by.
 */
export const notificationMessages = pgTable(
  'notification_messages',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    event: jsonb('event').$type<NotificationEvent>().notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** The receiver's HTTP status (or the SMTP reply code) of the last attempt. */
    responseStatus: integer('response_status'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('notification_messages_channel').on(t.channelId, t.createdAt), index('notification_messages_created').on(t.createdAt)],
);
