import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { PhaseName, PhaseOutcome } from '../../src/domain/phases.js';
import { deployments } from './deployments.js';

/** Phases of each service of a stack deployment (the deployment's own are in deployment_phases). */
export const deploymentServicePhases = pgTable(
  'deployment_service_phases',
  {
    deploymentId: text('deployment_id')
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    service: text('service').notNull(),
    phase: text('phase').$type<PhaseName>().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    outcome: text('outcome').$type<PhaseOutcome>().notNull(),
    message: text('message'),
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.service, t.phase] })],
);
