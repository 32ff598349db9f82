// How a deployment ends when its post-switch watch crossed a threshold: traffic goes back to
// the route it replaced (the previous release never stopped), that release is live again, the
// new one drains for the environment's drain seconds and its work is undone like a deploy that
// never committed; the deployment ends `rolled-back` with what the watch saw.
import { CancellationScope, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { DeployRequest, DeployResult } from '../src/domain/deployment.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import type { Undo } from './abandon-deployment.js';
import { ROUTER, STORE } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import type { PhaseTracker } from './phase-tracker.js';

export async function rollBackAfterWatch(input: {
  request: DeployRequest;
  releaseId: string;
  verdict: string;
  summary: string;
  undo: Undo[];
  phases: PhaseTracker;
  /** The kind's own way back (a static site's `current`); default: the route this deployment's switch replaced. */
  switchBack?: (() => Promise<{ deploymentId: string; note?: string | undefined } | null>) | undefined;
}): Promise<DeployResult> {
  const { request, verdict, summary, phases } = input;
  const { deploymentId, environmentId } = request;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const router = proxyActivities<ControlActivities>(ROUTER);
  return CancellationScope.nonCancellable(async () => {
    const back = await (input.switchBack ? input.switchBack() : router.switchBack({ environmentId, deploymentId })).catch(async (err: unknown) => {
      // Traffic stays on the new release; the deployment says it could not go back.
      const message = `post-switch watch: ${verdict}; ${summary}; switching back failed: ${describeFailure(err).message}`;
      await store.completeDeployment({ deploymentId, status: 'failed', message, errorType: 'WatchThresholdCrossed', at: Date.now(), phases: phases.end('failed', message) });
      return 'failed' as const;
    });
    if (back === 'failed') return { deploymentId, status: 'failed', releaseId: input.releaseId, message: 'switching back failed', errorType: 'WatchThresholdCrossed' };
    if (!back) {
      // Another route took the environment's place meanwhile: this release is not the one to
      // remove, and there is nothing of ours to go back to.
      const message = `post-switch watch: ${verdict}; ${summary}; the route was no longer this deployment's, nothing switched back`;
      await store.completeDeployment({ deploymentId, status: 'failed', message, errorType: 'WatchThresholdCrossed', at: Date.now(), phases: phases.end('failed', message) });
      return { deploymentId, status: 'failed', releaseId: input.releaseId, message, errorType: 'WatchThresholdCrossed' };
    }
    const restored = await store.restoreLive({ environmentId, deploymentId: back.deploymentId });
    if (request.drainSeconds > 0) await sleep(request.drainSeconds * 1000);
    // A kind's way back may have gone back only in part (a stack service whose revert failed).
    const note = 'note' in back && back.note ? `; ${back.note}` : '';
    const message = `rolled back to ${restored ? `release ${restored.number}` : back.deploymentId}: ${verdict}; ${summary}${note}`;
    const writes: PhaseWrite[] = [];
    for (const step of [...input.undo].reverse()) {
      const undone = await step({ outcome: 'failed', message }).catch(() => undefined);
      if (undone) writes.push(...undone);
    }
    await store.completeDeployment({ deploymentId, status: 'rolled-back', message, errorType: 'WatchThresholdCrossed', at: Date.now(), phases: [...writes, ...phases.end('failed', message)] });
    return { deploymentId, status: 'rolled-back', releaseId: input.releaseId, message, errorType: 'WatchThresholdCrossed' };
  });
}
