// The disk guard of builds and pulls: below BERTH_DISK_MIN_FREE_MB free on the Docker root, a
// build or a pull does not start (DiskSpaceLow, permanent), so nothing is half-made; the
// deployment ends failed with what to do, and the live release keeps serving.
import { formatSize, type DockerRootSpace } from '../../src/docker-root-space.js';
import { permanentFailure } from '../../src/errors.js';

export interface DiskGuard {
  /** Throws DiskSpaceLow when there is less free than the minimum; `what` names what does not start. */
  ensureRoom(what: string): Promise<void>;
}

export function createDiskGuard({ space, minFreeBytes }: { space: DockerRootSpace; minFreeBytes: number }): DiskGuard {
  return {
    async ensureRoom(what) {
      if (minFreeBytes <= 0) return;
      const s = await space();
      if (!s || s.freeBytes >= minFreeBytes) return;
      throw permanentFailure(
        'DiskSpaceLow',
        `${what} does not start: ${formatSize(s.freeBytes)} free on the Docker root (${s.path}), below BERTH_DISK_MIN_FREE_MB (${formatSize(minFreeBytes)}); ` +
          'free space (POST /api/v1/cleanup removes what Berth no longer uses) or lower the limit',
        { freeBytes: s.freeBytes, minFreeBytes, path: s.path },
      );
    },
  };
}

/** No guard (an engine whose disk is not Berth's to watch, or tests of something else). */
export const NO_DISK_GUARD: DiskGuard = { ensureRoom: async () => undefined };
