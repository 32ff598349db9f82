// After the switch: retire (the old release stays on disk, untouched, for instant rollback)
// and prune (release directories beyond the environment's retention, leftovers of failed
// unpacks, and staged archives no deployment will use: stale-uploads.ts). Never removes what `current` points at.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../../db/client.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import { readCurrent } from '../../src/static/current-link.js';
import { sitePaths, type SitePaths } from '../../src/static/site-paths.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordReport } from '../store/deployments.js';
import type { SiteRef } from './prepare-release.js';
import { removeStaleUploads } from './stale-uploads.js';

export interface PruneInput extends SiteRef {
  report: PhaseReport;
  deploymentId: string;
  environmentId: string;
  liveReleaseId: string;
  previousReleaseId: string | null;
  /** Releases to keep: the live one and the most recently live others (environment retention). */
  keepReleaseIds: string[];
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** Removes release directories (and partial unpacks) not kept; returns the release ids removed. */
export async function pruneReleaseDirs(paths: SitePaths, keep: Set<string>): Promise<string[]> {
  const current = await readCurrent(paths);
  const removed: string[] = [];
  for (const name of await list(paths.releases)) {
    const partial = /^\.(.+)\.partial$/.exec(name);
    const releaseId = partial ? partial[1] : name;
    if (!partial && (keep.has(name) || name === current)) continue;
    await rm(join(paths.releases, name), { recursive: true, force: true });
    if (!partial) removed.push(releaseId as string);
  }
  return removed;
}

export function createPruneReleases(deps: { db: Db; staticDir: string }) {
  const { db } = deps;
  return async function pruneStaticReleases(input: PruneInput): Promise<{ removed: string[]; phases: PhaseWrite[] }> {
    await recordReport(db, input.report);
    const paths = sitePaths(deps.staticDir, input.appName, input.environmentName);
    return withHeartbeat(async () => {
      const phases: PhaseWrite[] = [];
      const retired = input.previousReleaseId && input.previousReleaseId !== input.liveReleaseId ? `release ${input.previousReleaseId} kept on disk for rollback` : 'nothing to retire';
      phases.push({ phase: 'retire', outcome: 'succeeded', message: retired, at: Date.now() }, { phase: 'prune', outcome: 'running', at: Date.now() });
      await recordReport(db, { deploymentId: input.deploymentId, phases });

      const removed = await pruneReleaseDirs(paths, new Set(input.keepReleaseIds));
      const orphans = (await removeStaleUploads(db, paths.incoming)).length;
      const done: PhaseWrite = {
        phase: 'prune',
        outcome: 'succeeded',
        message: `removed ${removed.length} release(s)${orphans ? ` and ${orphans} unused upload(s)` : ''}`,
        at: Date.now(),
      };
      await recordReport(db, { deploymentId: input.deploymentId, phases: [done] });
      return { removed, phases: [...phases, done] };
    });
  };
}
