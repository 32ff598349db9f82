import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { apps } from './apps.js';

/**
 * A generic signed webhook of one app (POST /webhooks/generic/{id}), for any git host or CI:
 * Standard Webhooks signatures (HMAC-SHA256) with this sealed secret; a delivery names a ref
 * (and optionally a commit) of the app's repository, deployed by the app's rules.
 */
export const genericWebhooks = pgTable('generic_webhooks', {
  id: text('id').primaryKey(),
  appId: text('app_id')
    .notNull()
    .references(() => apps.id, { onDelete: 'cascade' }),
  secretSealed: text('secret_sealed').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
