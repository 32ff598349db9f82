import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Where the GitHub App is installed (an account or organisation), as GitHub last told us. */
export const githubInstallations = pgTable('github_installations', {
  /** GitHub's installation id. */
  id: bigint('id', { mode: 'number' }).primaryKey(),
  account: text('account').notNull(),
  accountType: text('account_type').notNull(),
  repositorySelection: text('repository_selection').notNull(),
  suspendedAt: timestamp('suspended_at', { withTimezone: true, mode: 'date' }),
  /** The app was uninstalled; kept so deliveries that name it still resolve. */
  removedAt: timestamp('removed_at', { withTimezone: true, mode: 'date' }),
  syncedAt: timestamp('synced_at', { withTimezone: true, mode: 'date' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
