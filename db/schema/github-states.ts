import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One-time `state` values of the GitHub redirects (app manifest, installation): CSRF guards. */
export const githubStates = pgTable('github_states', {
  state: text('state').primaryKey(),
  purpose: text('purpose', { enum: ['manifest', 'install'] }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
});
