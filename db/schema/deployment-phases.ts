import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { PhaseName, PhaseOutcome } from '../../src/domain/phases.js';
import { deployments } from './deployments.js';

export const deploymentPhases = pgTable(
  'deployment_phases',
  {
    deploymentId: text('deployment_id')
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    phase: text('phase').$type<PhaseName>().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    outcome: text('outcome').$type<PhaseOutcome>().notNull(),
    message: text('message'),
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.phase] })],
);
