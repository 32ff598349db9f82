// One pull request's preview (workflow id preview-<app>-<number>): every opened, reopened or
// synchronize event deploys the head commit to environment pr-<number>, made from the template
// environment on first use; a closed event, or no event for the idle time, tears it all down —
// the lane and its deploy, the containers, the route, the environment — with retries until
// nothing is left. An event that arrives during a teardown brings the preview back after it.
import { condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { GitSource } from '../src/domain/deployment.js';
import type { PreviewTarget } from '../src/domain/preview.js';
import type { PreviewOutcome } from '../src/domain/workflow-contracts.js';
import { pullRequestSignal, type PullRequestEvent } from '../src/domain/workflow-definitions.js';
import { GITHUB, INTAKE, TEARDOWN, WORKFLOW_CALLS } from './activity-profiles.js';
import { hostActivities } from './host-activities.js';

/** Marks histories whose teardown clears the environment's live release before removing its containers. */
const PREVIEW_CLEAR_LIVE_FIRST = 'preview-clear-live-first';

export async function previewLifecycle(target: PreviewTarget): Promise<PreviewOutcome> {
  const store = proxyActivities<ControlActivities>(INTAKE);
  const github = proxyActivities<ControlActivities>(GITHUB);
  const lanes = proxyActivities<ControlActivities>(WORKFLOW_CALLS);
  const teardown = proxyActivities<ControlActivities>(TEARDOWN);
  const events: PullRequestEvent[] = [];
  const seen = new Set<string>();
  setHandler(pullRequestSignal, (event) => {
    // A redelivered signal (a retried step upstream) carries the same deployment id.
    const key = event.deploymentId ?? `closed:${event.deliveryId}`;
    if (seen.has(key)) return;
    seen.add(key);
    events.push(event);
  });

  const deployments: string[] = [];
  let environment: { id: string; hostId: string } | null = null;
  let lastSource: GitSource | null = null;
  let deadline = Date.now() + target.idleSeconds * 1000;

  const removeEverything = async (reason: 'closed' | 'idle') => {
    if (!environment) return;
    const env = environment;
    const host = hostActivities(env.hostId, TEARDOWN);
    await teardown.stopLane({ environmentId: env.id });
    // Not live first: the containers' removal must not read to reconcile (Docker's events, or a
    // pass) as a live release's containers gone, to be made again and routed until the sweep.
    if (patched(PREVIEW_CLEAR_LIVE_FIRST)) await teardown.clearLive({ environmentId: env.id });
    await host.removeEnvironmentContainers({ environmentId: env.id });
    await teardown.removeRoute({ environmentId: env.id });
    await teardown.removePreviewEnvironment({ appId: target.appId, number: target.number, environmentId: env.id, reason });
    const last = deployments[deployments.length - 1];
    if (lastSource?.feedback && lastSource.sha && last) {
      await github
        .reportEnvironmentRemoved({ deploymentId: last, appName: target.appName, environmentName: `pr-${target.number}`, source: lastSource, sha: lastSource.sha })
        .catch(() => undefined);
    }
    environment = null;
  };

  for (;;) {
    const woke = await condition(() => events.length > 0, Math.max(1, deadline - Date.now()));
    if (!woke) {
      await removeEverything('idle');
      // Only an event that came in during the teardown keeps the workflow going.
      if (events.length === 0) return { deployments, removed: 'idle' };
      continue;
    }
    const event = events.shift() as PullRequestEvent;
    if (event.action === 'closed' || !event.deploymentId) {
      await removeEverything('closed');
      if (events.length === 0) return { deployments, removed: 'closed' };
      continue;
    }
    const made = await store.ensurePreviewEnvironment({ target, event });
    environment = { id: made.environmentId, hostId: made.request.hostId };
    lastSource = made.source;
    await lanes.submitDeploy({
      request: { ...made.request, deploymentId: event.deploymentId, kind: 'deploy', trigger: `github:${event.deliveryId}`, source: made.source },
    });
    deployments.push(event.deploymentId);
    deadline = Date.now() + target.idleSeconds * 1000;
  }
}
