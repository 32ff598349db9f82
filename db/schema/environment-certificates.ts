import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { environments } from './environments.js';

/**
 * An uploaded certificate (https: custom): the chain in the clear (it is public), the private
 * key sealed (context environment-certificate:<environment id>), and what validation read.
 */
export const environmentCertificates = pgTable('environment_certificates', {
  environmentId: text('environment_id')
    .primaryKey()
    .references(() => environments.id, { onDelete: 'cascade' }),
  chainPem: text('chain_pem').notNull(),
  keySealed: text('key_sealed').notNull(),
  names: jsonb('names').$type<string[]>().notNull(),
  issuer: text('issuer').notNull(),
  notAfter: timestamp('not_after', { withTimezone: true, mode: 'date' }).notNull(),
  fingerprint: text('fingerprint').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
