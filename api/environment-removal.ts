// Removing environments (one, or all of an app's): what may be removed is checked first, so a
// refusal changes nothing; then each lane is ended, the rows go (with their deployments,
// releases and variables), and a reconcile pass that began after that removes what Berth ran
// for them — containers and Traefik routes carry the environment's id in their labels and keys,
// so the pass's orphan sweep finds exactly them and nothing else. The API still changes the
// world only through workflows: the lanes are cancelled, the pass is Temporal's reconcileAll.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, eq, inArray, notInArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { deployments, environments, previews } from '../db/schema/index.js';
import type { Config } from '../src/config.js';
import { FINAL_STATUSES } from '../src/domain/deployment.js';
import { WORKFLOWS } from '../src/domain/workflow-contracts.js';
import { laneWorkflowId, RECONCILE_ALL_WORKFLOW_ID } from '../src/domain/workflow-ids.js';
import { reconcileAllInput } from '../src/temporal/schedules.js';
import { startWorkflow } from '../src/temporal/workflow-starts.js';
import { conflict } from './errors.js';

type EnvironmentRow = typeof environments.$inferSelect;

/** Why these environments cannot go now, or nothing. */
export async function assertRemovable(db: Db, app: { id: string; kind: string }, doomed: EnvironmentRow[], wholeApp: boolean): Promise<void> {
  if (doomed.length === 0) return;
  const ids = doomed.map((e) => e.id);
  const busy = await db
    .select({ id: deployments.id, environmentId: deployments.environmentId })
    .from(deployments)
    .where(and(inArray(deployments.environmentId, ids), notInArray(deployments.status, [...FINAL_STATUSES])));
  if (busy[0]) throw conflict(`deployment ${busy[0].id} is still queued or running: cancel it or let it end first`);
  // Children inherit from a parent: it goes only with them (as when the whole app goes).
  const children = await db.select({ name: environments.name, parentId: environments.parentId }).from(environments).where(inArray(environments.parentId, ids));
  const orphaned = children.filter((c) => !doomed.some((d) => d.name === c.name));
  if (orphaned[0]) throw conflict(`environment ${orphaned[0].name} inherits from it: remove or re-parent that first`);
  // An open pull request's preview is remade from its template on the next push.
  if (!wholeApp) {
    const [template] = await db
      .select({ number: previews.number })
      .from(previews)
      .where(and(eq(previews.appId, app.id), eq(previews.status, 'active'), inArray(previews.templateEnvironmentId, ids)));
    if (template) throw conflict(`pull request ${template.number}'s preview is made from it: close the pull request first`);
  }
  // A stack's Swarm services are not containers the sweep removes: its own teardown does that.
  const liveStack = app.kind === 'stack' ? doomed.find((e) => e.liveReleaseId !== null) : undefined;
  if (liveStack) throw conflict(`environment ${liveStack.name} runs a stack: tear it down first (DELETE /apps/{app}/environments/${liveStack.name}/stack)`);
}

/** Ends the environments' lanes (idle ones: nothing was queued or running). */
export async function stopLanes(temporal: Client, doomed: EnvironmentRow[]): Promise<void> {
  for (const env of doomed) {
    await temporal.workflow
      .getHandle(laneWorkflowId(env.id))
      .cancel()
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
  }
}

export interface SweepResult {
  orphans: number;
  staleRoutes: number;
}

/**
 * A reconcile pass that started after `since` (one already running read the environments before
 * they went, so it is waited for and another is started).
 */
export async function sweepRemoved(temporal: Client, config: Config, since: Date): Promise<SweepResult> {
  for (let attempt = 0; ; attempt++) {
    const handle = await startWorkflow(temporal, WORKFLOWS.reconcileAll, {
      workflowId: RECONCILE_ALL_WORKFLOW_ID,
      args: [reconcileAllInput(config, 'api')],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const started = (await handle.describe()).startTime;
    const result = await handle.result();
    if (started >= since || attempt >= 2) return { orphans: result.orphans, staleRoutes: result.staleRoutes };
  }
}
