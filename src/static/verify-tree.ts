// The verify phase: walk an unpacked release as it is on disk (not as the archive said) and
// prove it can be served safely: only files, directories and symlinks that resolve inside it.
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ArchiveRejected } from './archive-rules.js';

export interface TreeSummary {
  files: number;
  bytes: number;
  directories: number;
  symlinks: number;
}

const isInside = (root: string, path: string) => path === root || path.startsWith(root + sep);

export async function verifyTree(root: string, signal?: AbortSignal): Promise<TreeSummary> {
  const summary: TreeSummary = { files: 0, bytes: 0, directories: 0, symlinks: 0 };
  const realRoot = await realpath(root);
  const pending = [root];
  while (pending.length) {
    signal?.throwIfAborted();
    const dir = pending.pop() as string;
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const rel = relative(root, path);
      const stats = await lstat(path);
      if (stats.isDirectory()) {
        summary.directories++;
        pending.push(path);
      } else if (stats.isFile()) {
        summary.files++;
        summary.bytes += stats.size;
      } else if (stats.isSymbolicLink()) {
        summary.symlinks++;
        const lexical = resolve(dirname(path), await readlink(path));
        const real = await realpath(path).catch(() => null);
        if (!isInside(root, lexical) || (real !== null && !isInside(realRoot, real))) {
          throw new ArchiveRejected(`release file ${JSON.stringify(rel)}: symbolic link points outside the release`, rel);
        }
      } else {
        throw new ArchiveRejected(`release file ${JSON.stringify(rel)}: not a file, directory or symbolic link`, rel);
      }
    }
  }
  return summary;
}
