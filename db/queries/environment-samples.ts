// The environment samples behind the environment page's charts: written by the worker at each
// container sample, read for one environment and a time range, pruned after KEEP_MS.
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { Db } from '../client.js';
import { environmentSamples } from '../schema/index.js';

/** Samples older than this go at the next write: the charts show the last hour. */
export const KEEP_SAMPLES_MS = 2 * 3_600_000;

export type EnvironmentSample = typeof environmentSamples.$inferSelect;

export async function recordEnvironmentSamples(db: Db, rows: EnvironmentSample[]): Promise<void> {
  if (rows.length) await db.insert(environmentSamples).values(rows).onConflictDoNothing();
  await db.delete(environmentSamples).where(lt(environmentSamples.at, new Date(Date.now() - KEEP_SAMPLES_MS)));
}

export function environmentSamplesSince(db: Db, environmentId: string, since: Date): Promise<EnvironmentSample[]> {
  return db
    .select()
    .from(environmentSamples)
    .where(and(eq(environmentSamples.environmentId, environmentId), gte(environmentSamples.at, since)))
    .orderBy(asc(environmentSamples.at));
}
