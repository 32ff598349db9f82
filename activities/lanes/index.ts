// Activities that ask other workflows for work through the Temporal client: queue a deploy in
// an environment's lane (update-with-start, idempotent by deployment id), hand a pull-request
// event to its preview's lifecycle (signal-with-start), and end a lane whose environment goes.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DeployRequest } from '../../src/domain/deployment.js';
import type { PreviewTarget } from '../../src/domain/preview.js';
import { laneStateQuery, pullRequestSignal, type DeployAccepted, type PullRequestEvent } from '../../src/domain/workflow-definitions.js';
import { deployWorkflowId, laneWorkflowId, previewWorkflowId } from '../../src/domain/workflow-ids.js';
import { submitToLane } from '../../src/temporal/lane-client.js';
import { signalPreview } from '../../src/temporal/preview-client.js';
import { withHeartbeat } from '../heartbeat.js';

export function createLaneActivities({ temporal }: { temporal: Client }) {
  async function waitClosed(workflowId: string): Promise<void> {
    try {
      await temporal.workflow.getHandle(workflowId).result();
    } catch {
      // Cancelled, failed or gone: closed either way.
    }
  }

  return {
    async submitDeploy(input: { request: DeployRequest }): Promise<DeployAccepted> {
      return submitToLane(temporal, input.request);
    },

    /** Starts the preview's lifecycle if it is not running, and hands it the event. */
    async signalPreview(input: { target: PreviewTarget; event: PullRequestEvent }): Promise<{ workflowId: string }> {
      return signalPreview(temporal, input.target, input.event);
    },

    /** A closed pull request: tells a running lifecycle; none running means nothing to remove. */
    async closePreview(input: { appId: string; number: number; event: PullRequestEvent }): Promise<{ signalled: boolean }> {
      try {
        await temporal.workflow.getHandle(previewWorkflowId(input.appId, input.number)).signal(pullRequestSignal, input.event);
        return { signalled: true };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { signalled: false };
        throw err;
      }
    },

    /**
     * Ends an environment's lane: its running deploy is cancelled (and undoes its work), queued
     * ones never run. Returns once the lane and that deploy have closed.
     */
    async stopLane(input: { environmentId: string }): Promise<{ stopped: boolean }> {
      const lane = temporal.workflow.getHandle(laneWorkflowId(input.environmentId));
      return withHeartbeat(async () => {
        let current: string | null = null;
        try {
          const state = await lane.query(laneStateQuery);
          current = state.current?.deploymentId ?? null;
          await lane.cancel();
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return { stopped: false };
          // A lane that already closed answers no query: nothing runs in it.
          const description = await lane.describe().catch(() => null);
          if (description && description.status.name === 'RUNNING') throw err;
        }
        await waitClosed(laneWorkflowId(input.environmentId));
        if (current) await waitClosed(deployWorkflowId(current));
        return { stopped: true };
      });
    },
  };
}

export type LaneActivities = ReturnType<typeof createLaneActivities>;
