// Retention: history rows older than their configured age are deleted, in batches so a large
// table never holds one long lock, and audit entries through the audit log's own guarded prune.
// Notifications still pending stay whatever their age: their delivery is not over.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { pruneAudit } from '../../db/queries/audit.js';
import type { PruneHistoryInput, PrunedCounts } from '../../src/domain/workflow-contracts.js';
import type { Logger } from '../../src/logger.js';

/** Rows deleted per statement. */
export const PRUNE_BATCH = 5000;

async function pruneInBatches(db: Db, table: SQL, key: SQL, olderThan: SQL, days: number): Promise<number> {
  let total = 0;
  for (;;) {
    const cutoff = sql`now() - make_interval(days => ${days})`;
    const result: unknown = await db.execute(
      sql`with gone as (delete from ${table} where ${key} in (select ${key} from ${table} where ${olderThan} < ${cutoff} limit ${PRUNE_BATCH}) returning 1) select count(*)::int as n from gone`,
    );
    // postgres.js answers with the rows, PGlite with { rows }.
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
    const count = Number(rows[0]?.n ?? 0);
    total += count;
    if (count < PRUNE_BATCH) return total;
  }
}

export function createPruneHistory(db: Db, log: Logger) {
  return {
    async pruneOldRows(input: PruneHistoryInput): Promise<PrunedCounts> {
      const pruned: PrunedCounts = {
        deploymentLogsDays: await pruneInBatches(db, sql`deployment_logs`, sql`id`, sql`at`, input.deploymentLogsDays),
        reconcileEventsDays: await pruneInBatches(db, sql`reconcile_events`, sql`id`, sql`at`, input.reconcileEventsDays),
        webhookDeliveriesDays: await pruneInBatches(db, sql`webhook_deliveries`, sql`id`, sql`received_at`, input.webhookDeliveriesDays),
        auditDays: await pruneAudit(db, input.auditDays),
        notificationsDays: await pruneInBatches(db, sql`notification_messages`, sql`id`, sql`(case when status = 'pending' then now() else created_at end)`, input.notificationsDays),
      };
      log.info({ pruned }, 'history pruned');
      return pruned;
    },
  };
}
