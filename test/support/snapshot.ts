// What "nothing changed" means in a test: the row count of every table and the number of
// workflows in the test's namespace. The audit log is left out: recording a refused request is
// what it is for, not a change of state. So are the environments' samples the worker stores on
// its own clock (the charts' series), and the runs Berth's own schedules start (reconcile,
// cleanup, retention, the certificate check, repository sync) and their children: a schedule firing during a case is not the case.
import { count } from 'drizzle-orm';
import * as schema from '../../db/schema/index.js';
import { CHECK_CERTIFICATES_WORKFLOW_ID, CLEANUP_WORKFLOW_ID, PRUNE_HISTORY_WORKFLOW_ID, RECONCILE_ALL_WORKFLOW_ID, repositorySyncWorkflowId } from '../../src/domain/workflow-ids.js';
import type { TestBerth } from './berth.js';

/** A scheduled run's id is its schedule action's workflow id and the time it fired. */
const SCHEDULED = [RECONCILE_ALL_WORKFLOW_ID, CLEANUP_WORKFLOW_ID, PRUNE_HISTORY_WORKFLOW_ID, CHECK_CERTIFICATES_WORKFLOW_ID, repositorySyncWorkflowId(null)].map((id) => `${id}-`);
const scheduled = (workflowId: string) => SCHEDULED.some((prefix) => workflowId.startsWith(prefix));

export async function snapshot(berth: TestBerth) {
  const db = berth.database.db;
  const background: unknown[] = [schema.auditEvents, schema.environmentSamples];
  const tables = Object.entries(schema).filter(([, t]) => typeof t === 'object' && t !== null && 'getSQL' in t && !background.includes(t));
  const counts: Record<string, number> = {};
  for (const [name, table] of tables) {
    const [row] = await db.select({ n: count() }).from(table as typeof schema.projects);
    counts[name] = row?.n ?? 0;
  }
  let workflows = 0;
  for await (const w of berth.temporal.workflow.list()) {
    if (!scheduled(w.rootExecution?.workflowId ?? w.parentExecution?.workflowId ?? w.workflowId)) workflows++;
  }
  return { counts, workflows };
}
