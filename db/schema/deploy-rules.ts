import { integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import type { RuleEvent } from '../../src/domain/deploy-rules.js';
import { apps } from './apps.js';

/** An app's ordered rules: which pushes, tags and pull requests deploy to which environment. */
export const deployRules = pgTable(
  'deploy_rules',
  {
    id: text('id').primaryKey(),
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    /** 0, 1, 2 … : the first rule that matches wins. */
    position: integer('position').notNull(),
    event: text('event').$type<RuleEvent>().notNull(),
    /** Glob over the branch or tag name (for pull requests: the head branch). */
    pattern: text('pattern').notNull(),
    /** Pull requests only: glob over the base branch. */
    base: text('base'),
    /** When set, at least one changed file must match one of these globs. */
    paths: jsonb('paths').$type<string[] | null>(),
    /** Target environment; for pull requests the template each preview is made from. */
    environment: text('environment').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [unique('deploy_rules_app_position').on(t.appId, t.position)],
);
