// A checked static-site upload carried through the database to the host that unpacks it
// (db/schema/static-uploads.ts). Chunked so neither side holds a whole archive in memory.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { and, asc, eq, gt, inArray, lt, notInArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { deployments, staticUploads } from '../schema/index.js';

/** 1 MiB: a row small enough for any driver, few enough rows for a large site. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

/** Copies a staged archive into the database, replacing any earlier copy of the deployment's. */
export async function stashUpload(db: Db, deploymentId: string, file: string): Promise<number> {
  await dropUpload(db, deploymentId);
  let seq = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: UPLOAD_CHUNK_BYTES })) {
    await db.insert(staticUploads).values({ deploymentId, seq, data: chunk as Buffer });
    seq++;
  }
  return seq;
}

/** Writes the deployment's stashed archive to `file` (atomically); false when none is stashed. */
export async function restoreUpload(db: Db, deploymentId: string, file: string): Promise<boolean> {
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  let seq = -1;
  try {
    // One chunk per query: memory stays at a chunk whatever the archive's size.
    for (;;) {
      const [row] = await db
        .select({ seq: staticUploads.seq, data: staticUploads.data })
        .from(staticUploads)
        .where(and(eq(staticUploads.deploymentId, deploymentId), gt(staticUploads.seq, seq)))
        .orderBy(asc(staticUploads.seq))
        .limit(1);
      if (!row) break;
      if (row.seq !== seq + 1) throw new Error(`stashed upload of ${deploymentId} misses chunk ${seq + 1}`);
      seq = row.seq;
      if (!out.write(row.data)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    out.end();
    await finished(out);
  } catch (err) {
    out.destroy();
    await rm(partial, { force: true });
    throw err;
  }
  if (seq < 0) {
    await rm(partial, { force: true });
    return false;
  }
  await rename(partial, file);
  return true;
}

export async function dropUpload(db: Db, deploymentId: string): Promise<void> {
  await db.delete(staticUploads).where(eq(staticUploads.deploymentId, deploymentId));
}

/** Stashed uploads older than the grace whose deployment is not queued or running; their deployment ids. */
export async function dropStaleUploads(db: Db, options: { graceMs: number; dryRun: boolean }): Promise<string[]> {
  const pending = db.select({ id: deployments.id }).from(deployments).where(inArray(deployments.status, ['queued', 'running']));
  const stale = await db
    .selectDistinct({ deploymentId: staticUploads.deploymentId })
    .from(staticUploads)
    .where(and(lt(staticUploads.createdAt, new Date(Date.now() - options.graceMs)), notInArray(staticUploads.deploymentId, pending)));
  const ids = stale.map((r) => r.deploymentId);
  if (!options.dryRun && ids.length > 0) await db.delete(staticUploads).where(inArray(staticUploads.deploymentId, ids));
  return ids;
}
