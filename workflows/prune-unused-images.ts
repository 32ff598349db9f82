// The cleanup schedule (berth-cleanup): images Berth pulled that nothing retained uses.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { CleanupResult } from '../activities/reconcile/index.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { DOCKER, STORE } from './activity-profiles.js';

export async function pruneUnusedImages(input: { hostId: string; dryRun: boolean; trigger: string }): Promise<CleanupResult> {
  const host = proxyActivities<HostActivities>({ ...DOCKER, startToCloseTimeout: '30m', taskQueue: hostTaskQueue(input.hostId) });
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const result = await host.cleanupImages({ dryRun: input.dryRun });
  await store.recordReconcileEvents({
    trigger: input.trigger,
    events: result.candidates.map((c) => ({
      environmentId: null,
      drift: 'image-unused',
      action: input.dryRun ? 'reported' : result.removed.includes(c.imageId) ? 'removed' : 'none',
      outcome: input.dryRun || result.removed.includes(c.imageId) ? 'done' : 'skipped',
      detail: { imageId: c.imageId, reference: c.reference },
    })),
  });
  return result;
}
