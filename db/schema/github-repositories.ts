import { bigint, boolean, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Repositories an installation can reach, kept in step by the repository sync. */
export const githubRepositories = pgTable(
  'github_repositories',
  {
    /** GitHub's repository id. */
    id: bigint('id', { mode: 'number' }).primaryKey(),
    installationId: bigint('installation_id', { mode: 'number' }).notNull(),
    fullName: text('full_name').notNull(),
    private: boolean('private').notNull(),
    defaultBranch: text('default_branch').notNull(),
    cloneUrl: text('clone_url').notNull(),
    htmlUrl: text('html_url').notNull(),
    /** No longer reachable by the installation. */
    removedAt: timestamp('removed_at', { withTimezone: true, mode: 'date' }),
    syncedAt: timestamp('synced_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('github_repositories_full_name').on(t.fullName), index('github_repositories_installation').on(t.installationId)],
);
