// Which releases of an environment keep their containers, as the database says now: the
// retention window (live first) and the release in hot standby while its window is open — what a
// deploy's own tidy keeps (src/domain/kept-releases.ts). Reconcile reads it for its targets, and
// its sweep reads it again when it acts: a deploy that went live while the pass healed other
// environments must not lose its new release's containers to a list read before it.
import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { effectiveSettings } from '../../db/queries/environment-settings.js';
import { retainedReleaseIds } from '../../db/queries/releases.js';
import { environments } from '../../db/schema/index.js';
import { keptReleases } from '../../src/domain/kept-releases.js';
import { standbyRelease } from './standby.js';

export async function keptReleaseIds(db: Db, env: { id: string; liveReleaseId: string | null }): Promise<string[]> {
  const retained = await retainedReleaseIds(db, env.id, env.liveReleaseId, (await effectiveSettings(db, env.id)).settings.retention);
  return keptReleases(retained, await standbyRelease(db, env.id));
}

/** Per environment that still exists, its kept releases now; an environment removed is absent. */
export async function keptReleaseIdsNow(db: Db, environmentIds: string[]): Promise<Map<string, string[]>> {
  if (environmentIds.length === 0) return new Map();
  const rows = await db.select({ id: environments.id, liveReleaseId: environments.liveReleaseId }).from(environments).where(inArray(environments.id, environmentIds));
  return new Map(await Promise.all(rows.map(async (env) => [env.id, await keptReleaseIds(db, env)] as const)));
}
