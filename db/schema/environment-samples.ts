import { doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { environments } from './environments.js';

/**
 * What an environment did at one moment, written by the worker at each container sample and
 * kept for two hours: the environment page's charts are differences of consecutive rows.
 * Traefik's figures are its cumulative counters for the environment's service.
 */
export const environmentSamples = pgTable(
  'environment_samples',
  {
    environmentId: text('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Answers Traefik gave for the environment so far (its counter), and those that were 5xx. */
    requests: doublePrecision('requests').notNull(),
    errors: doublePrecision('errors').notNull(),
    /** Traefik's cumulative latency histogram: bucket bound in seconds ("+Inf" too) → answers. */
    buckets: jsonb('buckets').$type<Record<string, number>>().notNull(),
    /** CPU seconds and memory of the environment's running containers together. */
    cpuSeconds: doublePrecision('cpu_seconds').notNull(),
    memoryBytes: doublePrecision('memory_bytes').notNull(),
    containers: integer('containers').notNull(),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.at] }), index('environment_samples_at').on(t.at)],
);
