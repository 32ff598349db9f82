import { boolean, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { projects } from './projects.js';

/** Variables every environment of every app in the project sees, below the environment's own. */
export const projectVariables = pgTable(
  'project_variables',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** Sealed (db/queries/project-variables.ts) when secret. */
    value: text('value').notNull(),
    secret: boolean('secret').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.key] })],
);
