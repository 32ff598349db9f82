import { boolean, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { environments } from './environments.js';

export const environmentVariables = pgTable(
  'environment_variables',
  {
    environmentId: text('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
    /** Never shown by the API, and never given to an untrusted environment (a fork's preview). */
    secret: boolean('secret').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.key] })],
);
