// Per-deployment workspaces: <workspaces dir>/<deployment id>, made fresh by the fetch and
// removed after the build (or its cancellation). Paths a user gives (Dockerfile, context) must
// stay inside the checkout, symlinks included.
import { realpath, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { permanentFailure } from '../../src/errors.js';

export function workspaceDir(workspacesDir: string, deploymentId: string): string {
  return join(workspacesDir, deploymentId);
}

export async function removeWorkspace(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** `path` resolved inside `root`; a path (or a symlink) leading out of it is refused. */
export async function insideCheckout(root: string, path: string, what: string): Promise<string> {
  const full = resolve(root, path);
  let real: string;
  try {
    real = await realpath(full);
  } catch {
    throw permanentFailure('BuildFailed', `${what} ${path} does not exist in the commit`);
  }
  const realRoot = await realpath(root);
  const rel = relative(realRoot, real);
  if (rel.startsWith('..') || isAbsolute(rel)) throw permanentFailure('BuildFailed', `${what} ${path} leads outside the repository`);
  return real;
}
