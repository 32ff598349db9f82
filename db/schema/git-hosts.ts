import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { GitHostKind } from '../../src/git-hosts/provider.js';

/**
 * A connection to a git forge (Gitea, Forgejo, GitLab or Bitbucket Cloud): where its API is, the secret its
 * webhooks are signed with and the access token Berth clones and reports statuses with. Both
 * secrets are sealed (src/secrets), bound to this row.
 */
export const gitHosts = pgTable('git_hosts', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  kind: text('kind').$type<GitHostKind>().notNull(),
  /** The forge's web address (its API under /api/v1, GitLab's /api/v4, Bitbucket's /2.0 or api.bitbucket.org; clones under /owner/name.git). */
  baseUrl: text('base_url').notNull(),
  webhookSecretSealed: text('webhook_secret_sealed').notNull(),
  accessTokenSealed: text('access_token_sealed').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
