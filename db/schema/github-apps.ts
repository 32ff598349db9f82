import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The GitHub App Berth made through the manifest flow. Secrets are sealed (src/secrets). */
export const githubApps = pgTable('github_apps', {
  id: text('id').primaryKey(),
  /** GitHub's numeric app id. */
  appId: bigint('app_id', { mode: 'number' }).notNull().unique(),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  htmlUrl: text('html_url').notNull(),
  clientId: text('client_id').notNull(),
  privateKeySealed: text('private_key_sealed').notNull(),
  webhookSecretSealed: text('webhook_secret_sealed').notNull(),
  clientSecretSealed: text('client_secret_sealed').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
