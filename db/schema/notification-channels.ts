import { boolean, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { projects } from './projects.js';

/**
 * Where notifications go: a project's channel (its admins manage it) or, with no project, an
 * instance-wide one. `settings` holds what is not secret (a chat id, an SMTP host); URLs with
 * tokens, signing secrets, routing keys and passwords are sealed together in `secretsSealed`.
 */
export const notificationChannels = pgTable(
  'notification_channels',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['webhook', 'slack', 'discord', 'teams', 'telegram', 'pagerduty', 'email'] }).notNull(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
    secretsSealed: text('secrets_sealed').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('notification_channels_project').on(t.projectId)],
);
