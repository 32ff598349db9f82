import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One thing reconcile found or did: what drifted, what was done about it, and how it went. */
export const reconcileEvents = pgTable(
  'reconcile_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Null for events about the installation as a whole (orphan images, stray route files). */
    environmentId: text('environment_id'),
    /** What drifted: container-exited, container-missing, container-duplicate, route-missing, … */
    drift: text('drift').notNull(),
    /** What was done: started, recreated, stopped, route-written, removed, reported, cancelled, none. */
    action: text('action').notNull(),
    outcome: text('outcome', { enum: ['done', 'failed', 'skipped'] }).notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    /** "schedule", "docker-event", "api". */
    trigger: text('trigger').notNull(),
  },
  (t) => [index('reconcile_events_env').on(t.environmentId, t.id), index('reconcile_events_at').on(t.at)],
);
