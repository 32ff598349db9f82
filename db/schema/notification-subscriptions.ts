import { bigserial, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { apps } from './apps.js';
import { notificationChannels } from './notification-channels.js';

/** Which events a channel gets: all of its scope, one app's, or one app environment's. */
export const notificationSubscriptions = pgTable(
  'notification_subscriptions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    appId: text('app_id').references(() => apps.id, { onDelete: 'cascade' }),
    environmentName: text('environment_name'),
    /** Event types (src/domain/notification-events.ts), or ["*"]. */
    events: jsonb('events').$type<string[]>().notNull(),
  },
  (t) => [index('notification_subscriptions_channel').on(t.channelId)],
);
