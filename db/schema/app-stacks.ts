import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { apps } from './apps.js';

/** The compose file of an app of kind stack (uploaded through the API). */
export const appStacks = pgTable('app_stacks', {
  appId: text('app_id')
    .primaryKey()
    .references(() => apps.id, { onDelete: 'cascade' }),
  compose: text('compose').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
