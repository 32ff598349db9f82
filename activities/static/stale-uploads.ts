// Uploads no deployment will use: incoming/<deployment>.tar.gz (or .partial while the API
// receives it) whose deployment is not queued or running, unchanged for a grace period. The
// grace matters: an upload being received, or checked and about to be queued, is not a
// deployment yet, and a prune of a deploy running beside it must leave it be.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { and, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deployments } from '../../db/schema/index.js';

export const UPLOAD_GRACE_MS = 10 * 60_000;

const UPLOAD = /^(.+)\.tar\.gz(\.partial)?$/;

/** Removes the stale uploads of one incoming directory (dryRun: only lists them); returns their paths. */
export async function removeStaleUploads(db: Db, incomingDir: string, options: { graceMs?: number; dryRun?: boolean } = {}): Promise<string[]> {
  const cutoff = Date.now() - (options.graceMs ?? UPLOAD_GRACE_MS);
  const names = (await readdir(incomingDir).catch(() => [] as string[])).filter((n) => UPLOAD.test(n));
  if (names.length === 0) return [];
  const ids = names.map((n) => (UPLOAD.exec(n) as RegExpExecArray)[1] as string);
  const pending = new Set(
    (await db.select({ id: deployments.id }).from(deployments).where(and(inArray(deployments.id, ids), inArray(deployments.status, ['queued', 'running'])))).map(
      (r) => r.id,
    ),
  );
  const stale: string[] = [];
  for (const [i, name] of names.entries()) {
    if (pending.has(ids[i] as string)) continue;
    const file = join(incomingDir, name);
    const changed = await stat(file).then((s) => s.mtimeMs, () => null);
    if (changed === null || changed > cutoff) continue;
    if (!options.dryRun) await rm(file, { force: true });
    stale.push(file);
  }
  return stale;
}

/** Every site's incoming directory under the static dir (<app>/<env>/incoming). */
export async function incomingDirs(staticDir: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const app of await readdir(staticDir).catch(() => [] as string[])) {
    for (const env of await readdir(join(staticDir, app)).catch(() => [] as string[])) dirs.push(join(staticDir, app, env, 'incoming'));
  }
  return dirs;
}
