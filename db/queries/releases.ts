import { and, desc, eq, inArray, max, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { deployments, releases } from '../schema/index.js';

export type ReleaseRow = typeof releases.$inferSelect;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Inserts a release numbered one past the environment's newest, inside the caller's transaction. */
export async function insertNextRelease(tx: Tx, values: Omit<typeof releases.$inferInsert, 'number'>): Promise<ReleaseRow> {
  const [{ n } = { n: 0 }] = await tx.select({ n: max(releases.number) }).from(releases).where(eq(releases.environmentId, values.environmentId));
  const [row] = await tx
    .insert(releases)
    .values({ ...values, number: (n ?? 0) + 1 })
    .returning();
  return row as ReleaseRow;
}

export async function getRelease(db: Db, id: string): Promise<ReleaseRow | undefined> {
  const [row] = await db.select().from(releases).where(eq(releases.id, id));
  return row;
}

export async function listReleases(db: Db, environmentId: string, limit = 50): Promise<ReleaseRow[]> {
  return db.select().from(releases).where(eq(releases.environmentId, environmentId)).orderBy(desc(releases.number)).limit(limit);
}

/**
 * Releases of an environment ordered by when each was last made live (newest first); the
 * retention window keeps the first N, and "previous release" is the second.
 */
export async function releasesByLastLive(db: Db, environmentId: string): Promise<{ releaseId: string; lastLiveAt: Date }[]> {
  const rows = await db
    .select({ releaseId: deployments.releaseId, lastLiveAt: sql<string>`max(${deployments.finishedAt})` })
    .from(deployments)
    .where(and(eq(deployments.environmentId, environmentId), eq(deployments.status, 'succeeded')))
    .groupBy(deployments.releaseId)
    .orderBy(desc(sql`max(${deployments.finishedAt})`));
  return rows.filter((r) => r.releaseId !== null).map((r) => ({ releaseId: r.releaseId as string, lastLiveAt: new Date(r.lastLiveAt) }));
}

/** The live release plus the most recently live others, up to `retention` in all. */
export async function retainedReleaseIds(db: Db, environmentId: string, liveReleaseId: string | null, retention: number): Promise<string[]> {
  const recent = (await releasesByLastLive(db, environmentId)).map((r) => r.releaseId);
  const ordered = liveReleaseId ? [liveReleaseId, ...recent.filter((id) => id !== liveReleaseId)] : recent;
  return ordered.slice(0, Math.max(1, retention));
}

/** Of these images, the ones Berth pulled that no kept release runs (Docker itself refuses to remove an image a container still uses). */
export async function prunableImageIds(db: Db, imageIds: string[], keepReleaseIds: string[]): Promise<string[]> {
  if (imageIds.length === 0) return [];
  const [pulled, kept] = await Promise.all([
    db.select({ imageId: releases.imageId }).from(releases).where(and(inArray(releases.imageId, imageIds), eq(releases.imagePulled, true))),
    keepReleaseIds.length ? db.select({ imageId: releases.imageId }).from(releases).where(inArray(releases.id, keepReleaseIds)) : [],
  ]);
  const keep = new Set(kept.map((r) => r.imageId));
  return [...new Set(pulled.map((r) => r.imageId))].filter((id) => !keep.has(id));
}
