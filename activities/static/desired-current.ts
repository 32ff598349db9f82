// What a static environment's `current` symlink should be, from the database: for reconcile,
// which compares it with readCurrent() and heals a missing or wrong link with pointCurrent().
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apps, environments } from '../../db/schema/index.js';
import { currentTarget, sitePaths } from '../../src/static/site-paths.js';

export interface DesiredCurrent {
  /** The symlink's path. */
  link: string;
  /** The release it should point at; null when nothing is live (no link should exist). */
  releaseId: string | null;
  /** The link's target (relative), as pointCurrent writes it. */
  target: string | null;
}

/** null when the environment does not exist or is not of a static app. */
export async function desiredCurrent(db: Db, staticDir: string, environmentId: string): Promise<DesiredCurrent | null> {
  const [row] = await db
    .select({ appName: apps.name, kind: apps.kind, environmentName: environments.name, liveReleaseId: environments.liveReleaseId })
    .from(environments)
    .innerJoin(apps, eq(apps.id, environments.appId))
    .where(eq(environments.id, environmentId));
  if (!row || row.kind !== 'static') return null;
  const paths = sitePaths(staticDir, row.appName, row.environmentName);
  return { link: paths.current, releaseId: row.liveReleaseId, target: row.liveReleaseId ? currentTarget(row.liveReleaseId) : null };
}
