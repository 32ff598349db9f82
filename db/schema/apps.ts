import { integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { HealthCheck, LogDriver, ResourceLimits } from '../../src/domain/app-spec.js';
import type { StaticSiteSettings } from '../../src/domain/static-site.js';
import type { VariableSchema } from '../../src/domain/variable-schema.js';
import { projects } from './projects.js';

/** An app: what to run. Kind decides where releases come from (image, git, static, stack). */
export const apps = pgTable('apps', {
  id: text('id').primaryKey(),
  projectId: text('project_id')
    .notNull()
    .references(() => projects.id, { onDelete: 'cascade' }),
  // Globally unique: it is part of every environment's host name (<app>.<env>.<domain>).
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: ['image', 'git', 'static', 'stack'] }).notNull(),
  image: text('image'),
  port: integer('port').notNull().default(8080),
  command: jsonb('command').$type<string[] | null>(),
  args: jsonb('args').$type<string[] | null>(),
  healthCheck: jsonb('health_check').$type<HealthCheck>().notNull(),
  resources: jsonb('resources').$type<ResourceLimits>().notNull(),
  replicas: integer('replicas').notNull().default(1),
  /** Where its containers' output goes (null: Berth's default, DEFAULT_LOG_DRIVER). */
  logDriver: jsonb('log_driver').$type<LogDriver>(),
  /** Kind static: how its environments are served (SPA fallback, 404 page). */
  staticSite: jsonb('static_site').$type<StaticSiteSettings>(),
  /** Keys its environments' variables must satisfy (null: no schema). */
  variableSchema: jsonb('variable_schema').$type<VariableSchema>(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
