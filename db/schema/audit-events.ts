import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export type AuditActorKind = 'user' | 'token' | 'webhook' | 'schedule' | 'anonymous';
export type AuditOutcome = 'succeeded' | 'denied' | 'rejected' | 'failed';

/**
 * Every change and every deployment trigger: who (a user by session or token, a webhook
 * delivery, a schedule), what, on what, and how it ended. Append-only: a database trigger
 * refuses updates, and deletes except the retention prune (migration 0006).
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actorKind: text('actor_kind').$type<AuditActorKind>().notNull(),
    /** User id, delivery id or schedule name; null for an anonymous caller. */
    actorId: text('actor_id'),
    /** The user's e-mail (or what was tried at sign-in), the token's id, the event name. */
    actorName: text('actor_name'),
    /** "POST /apps/{app}/environments/{env}/deployments", "deployment.trigger", … */
    action: text('action').notNull(),
    /** The concrete path or object acted on. */
    target: text('target').notNull(),
    /** Kept as text without a foreign key: the record outlives the project. */
    projectId: text('project_id'),
    outcome: text('outcome').$type<AuditOutcome>().notNull(),
    status: integer('status'),
    requestId: text('request_id'),
    address: text('address'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_events_project').on(t.projectId, t.id), index('audit_events_at').on(t.at)],
);
