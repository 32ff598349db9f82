import { bigserial, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { deployments } from './deployments.js';

/** Log lines of one deployment (pull progress, health probes, container output), in order. */
export const deploymentLogs = pgTable(
  'deployment_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deploymentId: text('deployment_id')
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    level: text('level', { enum: ['info', 'warn', 'error'] }).notNull(),
    phase: text('phase'),
    message: text('message').notNull(),
  },
  (t) => [index('deployment_logs_deployment').on(t.deploymentId, t.id), index('deployment_logs_at').on(t.at)],
);
