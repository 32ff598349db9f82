// Where a service's build runs inside the repository's checkout. Compose resolves a build
// context against the compose file's directory and the Dockerfile against the context; Berth
// keeps both inside the repository (the build activity checks again on the checkout itself,
// where a symlink could still lead out).
import { posix } from 'node:path';
import type { StackBuild } from '../domain/stack.js';

/** Repository-relative paths ('.' is the repository's root). */
export interface BuildPaths {
  context: string;
  dockerfile: string;
}

export interface BuildPathProblem {
  key: 'build.context' | 'build.dockerfile';
  message: string;
}

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)/i;

export function buildPaths(composePath: string, build: Pick<StackBuild, 'context' | 'dockerfile'>): BuildPaths | BuildPathProblem {
  if (REMOTE.test(build.context)) return { key: 'build.context', message: `${build.context}: remote build contexts are not supported; give a directory of the repository` };
  if (posix.isAbsolute(build.context)) return { key: 'build.context', message: `${build.context}: a directory of the repository, relative to the compose file` };
  const context = posix.normalize(posix.join(posix.dirname(composePath), build.context));
  if (outside(context)) return { key: 'build.context', message: `${build.context} leads outside the repository` };
  if (posix.isAbsolute(build.dockerfile)) return { key: 'build.dockerfile', message: `${build.dockerfile}: a file of the repository, relative to the build context` };
  const dockerfile = posix.normalize(posix.join(context, build.dockerfile));
  if (outside(dockerfile)) return { key: 'build.dockerfile', message: `${build.dockerfile} leads outside the repository` };
  return { context: stripSlash(context), dockerfile: stripSlash(dockerfile) };
}

const outside = (path: string) => path === '..' || path.startsWith('../');
const stripSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
