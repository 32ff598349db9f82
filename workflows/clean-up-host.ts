// The cleanup schedule (berth-cleanup): images Berth pulled or built that nothing retained
// uses, then the engine's build cache unused for longer than the configured age, then static
// sites' uploads that no deployment will use. Registered also under its first type name,
// pruneUnusedImages, for runs started before the rename (workflows/index.ts).
import { proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { CleanupOutcome } from '../src/domain/cleanup.js';
import type { CleanupInput } from '../src/domain/workflow-contracts.js';
import { DOCKER, STORE } from './activity-profiles.js';
import { hostActivities } from './host-activities.js';

export async function cleanUpHost(input: CleanupInput): Promise<CleanupOutcome> {
  const host = hostActivities(input.hostId, { ...DOCKER, startToCloseTimeout: '30m' });
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
