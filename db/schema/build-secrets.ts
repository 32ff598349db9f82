import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { apps } from './apps.js';

/** Secrets a build mounts (BuildKit --secret): sealed here, never in layers, logs or history. */
export const buildSecrets = pgTable(
  'build_secrets',
  {
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    valueSealed: text('value_sealed').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.name] })],
);
