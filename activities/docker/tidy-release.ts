// Everything an image deploy tidies after its commit, in one step on the host: the retention
// window read, the other releases' containers retired and those beyond the window pruned
// (retire-and-prune.ts), then the images Berth pulled that no kept release runs removed. Before,
// the window and the prunable images were each a local activity of the deploy around the host's
// step, and the images' removal a step of its own: round trips of the worker and the server on
// every deploy. Every part is idempotent, so a retry runs it again from what the engine and the
// database have (and the image ids from the earlier attempt's heartbeat).
import { Context } from '@temporalio/activity';
import type { Db } from '../../db/client.js';
import { withHeartbeat } from '../heartbeat.js';
import { keptReleases } from '../../src/domain/kept-releases.js';
import { prunableImageIds, retainedReleaseIds } from '../../db/queries/releases.js';
import type { createImageActivities } from './images.js';
import { withPhases, type createRetireAndPrune, type RetireAndPruneInput, type RetiredAndPruned } from './retire-and-prune.js';

export interface TidyInput extends Omit<RetireAndPruneInput, 'keepReleaseIds'> {
  /** Releases kept, the live one included (the standby one is kept besides). */
  retention: number;
}

export interface Tidied extends RetiredAndPruned {
  keepReleaseIds: string[];
  removedImages: string[];
}

interface Deps {
  db: Db;
  retireAndPrune: ReturnType<typeof createRetireAndPrune>;
  images: Pick<ReturnType<typeof createImageActivities>, 'removeImages'>;
}

export function createTidyRelease({ db, retireAndPrune, images }: Deps) {
  return async function tidyRelease(input: TidyInput): Promise<Tidied> {
    const { retention, ...rest } = input;
    // Retire leaves the database as it was, so the window can be read before it.
    const retained = await retainedReleaseIds(db, input.environmentId, input.liveReleaseId, retention);
    const keepReleaseIds = keptReleases(retained, input.standbyReleaseId);
    // A retry after the images' part timed out finds their containers pruned already: the
    // image ids the earlier attempt had are in its last heartbeat.
    const carried = (Context.current().info.heartbeatDetails as { imageIds?: string[] } | undefined)?.imageIds ?? [];
    const done = await retireAndPrune({ ...rest, keepReleaseIds });
    const candidates = [...new Set([...done.imageIds, ...carried])];
    try {
      const imageIds = await withHeartbeat(() => prunableImageIds(db, candidates, keepReleaseIds), () => ({ imageIds: candidates }));
      const removedImages = imageIds.length ? await withHeartbeat(() => images.removeImages({ imageIds }), () => ({ imageIds: candidates })) : [];
      return { ...done, imageIds: candidates, keepReleaseIds, removedImages };
    } catch (err) {
      // Retired and pruned: a failure of the images' part is the prune phase's.
      throw withPhases(err, done.phases);
    }
  };
}
