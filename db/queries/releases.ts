import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { deployments, releases } from '../schema/index.js';

export type ReleaseRow = typeof releases.$inferSelect;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** One past the environment's newest release number, computed by the statement that inserts it. */
function nextNumber(environmentId: string) {
  return sql<number>`(select coalesce(max(${releases.number}), 0) + 1 from ${releases} where ${releases.environmentId} = ${environmentId})`;
}

/**
 * Inserts a release numbered one past the environment's newest, in one statement (the number
 * is read by the insert itself). Two inserts racing for a number: the unique (environment,
 * number) refuses the second, as it did when the number was read first.
 */
export async function insertNextRelease(tx: Tx, values: Omit<typeof releases.$inferInsert, 'number'>): Promise<ReleaseRow> {
  const [row] = await tx
    .insert(releases)
    .values({ ...values, number: nextNumber(values.environmentId) })
    .returning();
  return row as ReleaseRow;
}

/**
 * A deployment's new release, and the deployment pointed at it, in one statement: the update
 * runs as a data-modifying CTE of the insert, so both land or neither (one round trip instead of
 * a transaction's five: begin, the number read, the insert, the update, commit).
 */
export async function insertReleaseOfDeployment(db: Db, values: Omit<typeof releases.$inferInsert, 'number'> & { id: string; createdByDeploymentId: string }): Promise<ReleaseRow> {
  const bound = db.$with('bound').as(db.update(deployments).set({ releaseId: values.id }).where(eq(deployments.id, values.createdByDeploymentId)).returning({ id: deployments.id }));
  const [row] = await db
    .with(bound)
    .insert(releases)
    .values({ ...values, number: nextNumber(values.environmentId) })
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
