import { pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/**
 * Keys that seal secrets, added by key rotations (src/secrets/key-ring.ts). Each is stored
 * sealed under the configured master key (BERTH_SECRET_KEY), so the database alone opens
 * nothing. The master key's own row (listed once a rotation has run) has no `wrapped`.
 * current: new values are sealed under it (one at most); active: still opens values;
 * retired: no stored value uses it any more, kept only so Temporal histories written under it
 * still decode.
 */
export const secretKeys = pgTable(
  'secret_keys',
  {
    id: text('id').primaryKey(),
    wrapped: text('wrapped'),
    state: text('state', { enum: ['current', 'active', 'retired'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('secret_keys_one_current').on(t.state).where(sql`${t.state} = 'current'`)],
);
