import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Credentials of the DNS provider Traefik's dns-01 resolver uses (lego's environment
 * variables, e.g. CF_DNS_API_TOKEN), sealed as one JSON object (context
 * acme-dns:<provider>). Opened only to start Traefik, which gets them as its environment.
 */
export const acmeDnsCredentials = pgTable('acme_dns_credentials', {
  provider: text('provider').primaryKey(),
  variablesSealed: text('variables_sealed').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
