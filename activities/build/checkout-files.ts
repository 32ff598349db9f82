// The deployment's checkout as a compose file sees it: files and directories relative to the
// compose file's directory, never outside the checkout (symbolic links resolved first), each file
// small. Synchronous: the compose compiler is, and what it reads is small.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { RepoEntry, RepoFiles } from '../../src/compose/translate-binds.js';

/** Swarm keeps a config under 500 KiB; env files and secrets are smaller still. */
const MAX_FILE_BYTES = 500 * 1024;
const MAX_DIRECTORY_ENTRIES = 200;

export function checkoutFiles(root: string, composePath: string): RepoFiles {
  const realRoot = realpathSync(root);
  const inside = (path: string): string | null => {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      return null;
    }
    const rel = relative(realRoot, real);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error('leads outside the repository');
    return real;
  };
  const read = (file: string): string => {
    if (statSync(file).size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    return readFileSync(file, 'utf8');
  };
  return {
    entry(path: string): RepoEntry {
      if (isAbsolute(path)) throw new Error('an absolute path: name a file of the repository, relative to the compose file');
      const real = inside(resolve(root, dirname(composePath), path));
      if (!real) return { kind: 'missing' };
      if (!statSync(real).isDirectory()) return { kind: 'file', content: read(real) };
      const files: Record<string, string> = {};
      const walk = (dir: string, prefix: string) => {
        const entries = readdirSync(dir, { withFileTypes: true });
        if (entries.length > MAX_DIRECTORY_ENTRIES) throw new Error(`more than ${MAX_DIRECTORY_ENTRIES} entries`);
        for (const e of entries) {
          if (e.name === '.git') continue;
          const full = inside(join(dir, e.name));
          if (!full) continue;
          const rel = prefix ? `${prefix}/${e.name}` : e.name;
          if (statSync(full).isDirectory()) walk(full, rel);
          else files[rel] = read(full);
        }
      };
      walk(real, '');
      return { kind: 'dir', files };
    },
  };
}
