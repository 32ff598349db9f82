import { and, desc, eq, max, sql } from 'drizzle-orm';
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
