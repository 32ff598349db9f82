// Stuck work: deployments past their deadline, waiting on an activity no worker picks up, or
// whose workflow ended without recording an outcome. Reported always; with the "cancel" policy
// cancelled through their lane, and terminated if cancelling does not end them.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { cancelInLane } from '../../src/temporal/lane-client.js';
import type { Logger } from '../../src/logger.js';
import type { ActiveDeployment, createReconcileStore, ReconcileEventInput } from '../store/reconcile.js';

export type StuckPolicy = 'report' | 'cancel';

export interface StuckInput {
  deadlineMs: number;
  /** An activity scheduled this long without a worker starting it means no worker polls its queue. */
  noWorkerMs: number;
  policy: StuckPolicy;
  /** A deployment still running this long after reconcile asked to cancel it is terminated. */
  cancelGraceMs: number;
}

export interface StuckResult {
  events: ReconcileEventInput[];
  cancelled: string[];
}

interface Deps {
  temporal: Client;
  store: ReturnType<typeof createReconcileStore>;
  log: Logger;
}

export function createCheckStuck({ temporal, store, log }: Deps) {
  /** 'waiting': still in its lane's queue (no workflow yet); 'closed': its workflow ended. */
  async function reasonsFor(d: ActiveDeployment, input: StuckInput, now: number): Promise<string[] | 'closed' | 'waiting'> {
    let description;
    try {
      description = await temporal.workflow.getHandle(d.workflowId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return d.status === 'queued' ? 'waiting' : 'closed';
      throw err;
    }
    if (description.status.name !== 'RUNNING') return 'closed';
    const reasons: string[] = [];
    const since = d.startedAt ?? d.createdAt;
    if (now - since > input.deadlineMs) reasons.push(`running for ${Math.round((now - since) / 1000)} s`);
    for (const a of description.raw.pendingActivities ?? []) {
      const scheduled = Number(a.scheduledTime?.seconds ?? 0) * 1000;
      const state = String(a.state);
      if ((state === '1' || state === 'PENDING_ACTIVITY_STATE_SCHEDULED') && scheduled && now - scheduled > input.noWorkerMs) {
        reasons.push(`${a.activityType?.name} waits for a worker since ${Math.round((now - scheduled) / 1000)} s`);
      }
    }
    return reasons;
  }

  return async function checkStuckDeployments(input: StuckInput): Promise<StuckResult> {
    const now = Date.now();
    const events: ReconcileEventInput[] = [];
    const cancelled: string[] = [];
    const cancelledBefore = new Set(await store.cancelRequestedBefore({ graceMs: input.cancelGraceMs }));
    for (const d of await store.activeDeployments()) {
      let reasons = await reasonsFor(d, input, now);
      if (reasons === 'waiting') reasons = now - d.createdAt > input.deadlineMs ? [`queued for ${Math.round((now - d.createdAt) / 1000)} s`] : [];
      if (reasons === 'closed') {
        await store.failAbandonedDeployment({ deploymentId: d.id, message: 'its workflow ended without recording an outcome', at: now });
        events.push({ environmentId: d.environmentId, drift: 'deployment-abandoned', action: 'marked-failed', outcome: 'done', detail: { deploymentId: d.id } });
        continue;
      }
      if (reasons.length === 0) continue;
      log.warn({ deploymentId: d.id, reasons }, 'deployment stuck');
      const detail = { deploymentId: d.id, reasons };
      if (input.policy === 'report') {
        events.push({ environmentId: d.environmentId, drift: 'deployment-stuck', action: 'reported', outcome: 'done', detail });
      } else if (cancelledBefore.has(d.id)) {
        await temporal.workflow.getHandle(d.workflowId).terminate('stuck: cancelling did not end it');
        await store.failAbandonedDeployment({ deploymentId: d.id, message: `terminated as stuck: ${reasons.join('; ')}`, at: now });
        events.push({ environmentId: d.environmentId, drift: 'deployment-stuck', action: 'terminated', outcome: 'done', detail });
      } else {
        const outcome = await cancelInLane(temporal, d.environmentId, d.id);
        cancelled.push(d.id);
        events.push({ environmentId: d.environmentId, drift: 'deployment-stuck', action: 'cancel-requested', outcome: outcome.status === 'not-found' ? 'failed' : 'done', detail });
      }
    }
    return { events, cancelled };
  };
}
