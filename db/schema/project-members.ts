import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { ProjectRole } from '../../src/domain/access.js';
import { projects } from './projects.js';
import { users } from './users.js';

/** A user's role on a project (src/domain/access.ts says what each role may do). */
export const projectMembers = pgTable(
  'project_members',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<ProjectRole>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] })],
);
