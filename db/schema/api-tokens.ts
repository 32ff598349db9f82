import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { TokenScope } from '../../src/domain/access.js';
import { projects } from './projects.js';
import { users } from './users.js';

/** API tokens for scripts and the CLI: shown once when made, stored only as a SHA-256. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The token's first characters (berth_pat_ and 4 more), to recognise it in a list. */
    prefix: text('prefix').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    scopes: jsonb('scopes').$type<TokenScope[]>().notNull(),
    /** When set, the token acts on this project only (and never on the installation). */
    projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('api_tokens_user').on(t.userId)],
);
