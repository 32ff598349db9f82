// What the cleanup schedule (workflow cleanUpHost) finds and removes on a host.

/** Images Berth pulled or built that no retained release uses. */
export interface CleanupResult {
  candidates: { imageId: string; reference: string }[];
  removed: string[];
  dryRun: boolean;
}

export interface BuildCacheCleanup {
  /** Records not in use and unused for longer than the age (what a prune removes). */
  records: number;
  bytes: number;
  /** What the engine reports it reclaimed (0 on a dry run). */
  reclaimedBytes: number;
  unusedForHours: number;
}

export type CleanupOutcome = CleanupResult & { buildCache: BuildCacheCleanup; uploads: string[] };
