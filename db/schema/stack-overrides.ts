import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { environments } from './environments.js';

/** An environment's compose override, merged over its app's compose file. */
export const stackOverrides = pgTable('stack_overrides', {
  environmentId: text('environment_id')
    .primaryKey()
    .references(() => environments.id, { onDelete: 'cascade' }),
  compose: text('compose').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
