import { boolean, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** People who sign in to Berth. The password is kept only as a memory-hard hash (src/auth/password-hash.ts). */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  /** Lowercased; the sign-in name. */
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  passwordHash: text('password_hash').notNull(),
  /** Instance administrators manage users, the GitHub App and the installation, and act as owners of every project. */
  isAdmin: boolean('is_admin').notNull().default(false),
  /** A disabled user's sessions and tokens stop working at once. */
  disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
