// PGlite (PostgreSQL compiled to WASM, in-process) sized for a long-lived Berth process. Measured
// with `npm run bench -- memory` (docs/benchmarks.md):
// - initdb of a new data directory leaves ~400 MB of WASM memory resident in the process that ran
//   it, for as long as it lives; so a new directory is initialised by a short-lived child process
//   and the long-lived one only ever opens an existing directory;
// - PostgreSQL's default 128 MB of shared buffers cost ~150 MB resident; Berth's database is a few
//   megabytes, so 16 MB holds all of it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';

export const PGLITE_SHARED_BUFFERS = '16MB';

/** Where node resolves '@electric-sql/pglite' from (the clone, or dist/ inside it). */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const INIT_SCRIPT = `
import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create(process.argv[1]);
await db.close();
`;

/** Runs initdb in a child process (see above); resolves once the directory holds a database. */
function initialiseInChild(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', INIT_SCRIPT, dir], { cwd: PACKAGE_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initialising the PGlite database in ${dir} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

export async function openPgliteClient(dir: string): Promise<PGlite> {
  // PGlite itself runs initdb when PG_VERSION is missing, and only then.
  if (!existsSync(join(dir, 'PG_VERSION'))) await initialiseInChild(dir);
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`] });
}
