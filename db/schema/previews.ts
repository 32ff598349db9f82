import { integer, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { apps } from './apps.js';

/** A pull request's preview: environment pr-<number>, made from a template, torn down on close or when idle. */
export const previews = pgTable(
  'previews',
  {
    id: text('id').primaryKey(),
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    repository: text('repository').notNull(),
    templateEnvironmentId: text('template_environment_id').notNull(),
    /** Null once torn down. */
    environmentId: text('environment_id'),
    headSha: text('head_sha').notNull(),
    status: text('status', { enum: ['active', 'removed'] }).notNull(),
    /** Why it was removed: closed, idle. */
    removedReason: text('removed_reason'),
    lastEventAt: timestamp('last_event_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [unique('previews_app_number').on(t.appId, t.number)],
);
