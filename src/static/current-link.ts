// The `current` symlink: which release a static environment serves. The static server resolves
// it on every request, so replacing it switches traffic with no reload. Replacing is atomic: a
// new symlink beside it is renamed over it (rename(2) replaces the old link in one step), so a
// request sees the old release or the new one, never neither.
import { randomBytes } from 'node:crypto';
import { readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { currentTarget, type SitePaths } from './site-paths.js';

export async function pointCurrent(paths: SitePaths, releaseId: string): Promise<void> {
  const temp = join(dirname(paths.current), `.current-${randomBytes(4).toString('hex')}`);
  await symlink(currentTarget(releaseId), temp);
  try {
    await rename(temp, paths.current);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** The release `current` points at; null when there is no link (or it is not one of ours). */
export async function readCurrent(paths: SitePaths): Promise<string | null> {
  try {
    const target = await readlink(paths.current);
    return dirname(target) === 'releases' ? basename(target) : null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EINVAL') return null;
    throw err;
  }
}

export async function removeCurrent(paths: SitePaths): Promise<void> {
  await rm(paths.current, { force: true });
}
