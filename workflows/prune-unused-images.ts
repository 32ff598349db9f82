// The cleanup schedule (berth-cleanup): images Berth pulled or built that nothing retained
// uses, then the engine's build cache unused for longer than the configured age, then static
// sites' uploads that no deployment will use.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { BuildCacheCleanup, CleanupResult } from '../activities/reconcile/index.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { DOCKER, STORE } from './activity-profiles.js';

export interface CleanupInput {
  hostId: string;
  dryRun: boolean;
  trigger: string;
  /** Build cache records unused for longer than this go (BERTH_BUILD_CACHE_MAX_AGE_HOURS). */
  buildCacheHours: number;
}

export type CleanupOutcome = CleanupResult & { buildCache: BuildCacheCleanup; uploads: string[] };

export async function pruneUnusedImages(input: CleanupInput): Promise<CleanupOutcome> {
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
  const buildCache = await host.cleanupBuildCache({ dryRun: input.dryRun, unusedForHours: input.buildCacheHours });
  if (buildCache.records > 0) {
    await store.recordReconcileEvents({
      trigger: input.trigger,
      events: [
        {
          environmentId: null,
          drift: 'build-cache-unused',
          action: input.dryRun ? 'reported' : 'removed',
          outcome: 'done',
          detail: { records: buildCache.records, bytes: buildCache.bytes, reclaimedBytes: buildCache.reclaimedBytes, unusedForHours: buildCache.unusedForHours },
        },
      ],
    });
  }
  // Static-site uploads no deployment will use (an API that died mid-upload leaves them).
  const uploads = await host.sweepStaleUploads({ dryRun: input.dryRun });
  if (uploads.length > 0) {
    await store.recordReconcileEvents({
      trigger: input.trigger,
      events: [{ environmentId: null, drift: 'upload-stale', action: input.dryRun ? 'reported' : 'removed', outcome: 'done', detail: { files: uploads.slice(0, 100), count: uploads.length } }],
    });
  }
  return { ...result, buildCache, uploads };
}
