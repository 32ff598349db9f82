// The places where events happen, wrapped: each store write runs as before, then its event is
// emitted. The writes are local activities of the deploy, lane and reconcile workflows, so their
// histories do not change; emitting is idempotent (emit-notifications.ts), so a retried write
// emits nothing twice.
import { Context } from '@temporalio/activity';
import type { createPreviewActivities } from '../previews/index.js';
import type { createReconcileStore } from '../store/reconcile.js';
import type { StoreActivities } from '../store/index.js';
import type { EventNotices } from './event-notices.js';

type Store = Pick<StoreActivities, 'enqueueDeployment' | 'dropQueued' | 'completeDeployment'>;
type Reconcile = Pick<ReturnType<typeof createReconcileStore>, 'recordReconcileEvents'>;
type Previews = Pick<ReturnType<typeof createPreviewActivities>, 'recordForkPreview'>;

/** The activity's own run and id: the same on every retry of it. */
function activityKey(): string {
  const info = Context.current().info;
  return `${info.workflowExecution?.runId ?? 'no-run'}:${info.activityId}`;
}

export function withNotices(parts: { store: Store; reconcile: Reconcile; previews: Previews }, notices: EventNotices) {
  const { store, reconcile, previews } = parts;
  return {
    async enqueueDeployment(input: Parameters<Store['enqueueDeployment']>[0]): Promise<void> {
      await store.enqueueDeployment(input);
      await notices.queued(input.request.deploymentId);
    },
    async dropQueued(input: Parameters<Store['dropQueued']>[0]): Promise<void> {
      await store.dropQueued(input);
      if (input.status === 'cancelled') for (const id of input.deploymentIds) await notices.ended(id);
    },
    async completeDeployment(input: Parameters<Store['completeDeployment']>[0]): Promise<void> {
      await store.completeDeployment(input);
      await notices.ended(input.deploymentId);
    },
    /** The deploy workflow began (deploy.started); recorded by the skeleton from this version on. */
    async announceStart(input: { deploymentId: string }): Promise<void> {
      await notices.started(input.deploymentId);
    },
    async recordReconcileEvents(input: Parameters<Reconcile['recordReconcileEvents']>[0]): Promise<void> {
      await reconcile.recordReconcileEvents(input);
      await notices.reconciled(activityKey(), input.events);
    },
    async recordForkPreview(input: Parameters<Previews['recordForkPreview']>[0]): Promise<void> {
      await previews.recordForkPreview(input);
      const approved = input.fork.approvedBy !== null || input.deploymentId !== null;
      if (!approved) {
        await notices.approvalWaiting({ appId: input.target.appId, number: input.target.number, headSha: input.event.headSha, templateEnvironmentId: input.target.templateEnvironmentId });
      }
    },
  };
}
