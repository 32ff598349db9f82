// The cleanup schedule's second half: the Docker engine's build cache (BuildKit records that
// Berth's builds from source leave) unused for longer than the configured age. BuildKit's
// records carry no owner label, so age is the rule: on a Berth host the builds are Berth's,
// and a record any build used recently stays. With dryRun, it only reports.
import type Docker from 'dockerode';
import { withHeartbeat } from '../heartbeat.js';

import type { BuildCacheCleanup } from '../../src/domain/cleanup.js';

export type { BuildCacheCleanup };

interface BuildCacheRecord {
  ID: string;
  InUse: boolean;
  Size: number;
  LastUsedAt?: string | null;
  CreatedAt: string;
}

export function createCleanupBuildCache({ docker }: { docker: Docker }) {
  return async function cleanupBuildCache(input: { dryRun: boolean; unusedForHours: number }): Promise<BuildCacheCleanup> {
    const cutoff = Date.now() - input.unusedForHours * 3_600_000;
    // The engine sizes every image and volume for this answer: seconds on a busy host.
    const usage = (await withHeartbeat(() => docker.df())) as { BuildCache?: BuildCacheRecord[] | null };
    const stale = (usage.BuildCache ?? []).filter((r) => !r.InUse && Date.parse(r.LastUsedAt ?? r.CreatedAt) <= cutoff);
    const found = { records: stale.length, bytes: stale.reduce((n, r) => n + r.Size, 0), unusedForHours: input.unusedForHours };
    if (input.dryRun || stale.length === 0) return { ...found, reclaimedBytes: 0 };
    // BuildKit keeps what was used within `until` (0 h: keeps nothing unused); `all` takes the
    // records under tagged images too, not only dangling ones: the images keep their layers.
    const pruned = await withHeartbeat(() => pruneBuildCache(docker, { until: [`${input.unusedForHours}h`] }));
    return { ...found, reclaimedBytes: pruned.SpaceReclaimed ?? 0 };
  };
}

/** POST /build/prune?all with filters (dockerode's pruneBuilder sends no query). */
function pruneBuildCache(docker: Docker, filters: Record<string, string[]>): Promise<{ SpaceReclaimed?: number }> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      { path: '/build/prune?', method: 'POST', options: { all: true, filters: JSON.stringify(filters) }, statusCodes: { 200: true, 500: 'server error' } },
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as { SpaceReclaimed?: number })),
    );
  });
}
