// The audit log: appended to by the API (every change it is asked for) and by activities
// (deployments a webhook delivery started, previews a timer removed, work a schedule cancelled),
// read newest first with filters, and pruned past its retention (the only delete the table's
// trigger lets through).
import { and, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { auditEvents, type AuditActorKind, type AuditOutcome } from '../schema/index.js';

export type AuditRow = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;

export async function appendAudit(db: Db, events: NewAuditEvent[]): Promise<void> {
  if (events.length) await db.insert(auditEvents).values(events);
}

export interface AuditQuery {
  /** null: every project (instance administrators); otherwise only these projects' events. */
  projectIds: string[] | null;
  actorKind?: AuditActorKind | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  outcome?: AuditOutcome | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  before?: number | undefined;
  limit: number;
}

export async function listAudit(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  const where: SQL[] = [];
  if (q.projectIds !== null) {
    if (q.projectIds.length === 0) return [];
    where.push(inArray(auditEvents.projectId, q.projectIds));
  }
  if (q.actorKind) where.push(eq(auditEvents.actorKind, q.actorKind));
  if (q.actor) where.push(sql`(${auditEvents.actorId} = ${q.actor} or ${auditEvents.actorName} = ${q.actor})`);
  if (q.action) where.push(sql`${auditEvents.action} like ${`${q.action.replace(/[%_\\]/g, '\\$&')}%`}`);
  if (q.outcome) where.push(eq(auditEvents.outcome, q.outcome));
  if (q.since) where.push(gte(auditEvents.at, q.since));
  if (q.until) where.push(lte(auditEvents.at, q.until));
  if (q.before) where.push(lt(auditEvents.id, q.before));
  return db.select().from(auditEvents).where(and(...where)).orderBy(desc(auditEvents.id)).limit(q.limit);
}

/** Removes events older than `days`; the trigger allows it only inside this transaction. */
export async function pruneAudit(db: Db, days: number): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('berth.audit_prune', 'on', true)`);
    const gone = await tx.delete(auditEvents).where(lt(auditEvents.at, sql`now() - make_interval(days => ${days})`)).returning({ id: auditEvents.id });
    return gone.length;
  });
}
