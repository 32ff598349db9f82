// The embedded database as `berth dev` opens it (db/pglite.ts): a new data directory is
// initialised by a child process, so the process that keeps the database open does not carry
// initdb's memory (~600 MB of it when initdb ran in-process); PostgreSQL runs with 16 MB of shared
// buffers; what was written is there on the next open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, expect, test } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { projects } from '../../db/schema/index.js';
import { PGLITE_SHARED_BUFFERS } from '../../db/pglite.js';

const dataDir = mkdtempSync(join(tmpdir(), 'berth-pglite-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const rows = (result: unknown) => (result as { rows: Record<string, unknown>[] }).rows;
const residentMb = () => process.memoryUsage().rss / 1024 / 1024;

test('a new data directory: initialised outside this process, migrated, with small shared buffers', async () => {
  const before = residentMb();
  const database = await openDatabase({ dataDir });
  try {
    expect(database.kind).toBe('pglite');
    // initdb in this process left 600–800 MB resident; opening an initialised one ~150 MB.
    expect(residentMb() - before).toBeLessThan(350);
    expect(rows(await database.db.execute(sql`show shared_buffers`))[0]?.shared_buffers).toBe(PGLITE_SHARED_BUFFERS);
    await database.db.insert(projects).values({ id: 'prj_kept', name: 'kept-across-opens' });
  } finally {
    await database.close();
  }
});

test('the next open finds the database and what was written', async () => {
  const database = await openDatabase({ dataDir });
  try {
    const names = (await database.db.select({ name: projects.name }).from(projects)).map((p) => p.name);
    expect(names).toContain('kept-across-opens');
  } finally {
    await database.close();
  }
});
