// Sign-in attempts, counted per key in the database so every API process sees the same counts.
// An attempt is counted as a failure before its password is checked, in a transaction that
// locks the key's row: however many arrive at once, each sees the count and the block the ones
// before it left, so a burst cannot slip past the throttle while the first ones are hashing.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { loginThrottles } from '../schema/index.js';

export interface ThrottlePolicy {
  /** How long to block after the n-th failure in a row. */
  blockAfter(failures: number): number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
}

/** Counts an attempt as a failure unless the key is blocked; returns how long it is blocked (0: go on). */
export async function claimAttempt(db: Db, key: string, policy: ThrottlePolicy): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.insert(loginThrottles).values({ key, failures: 0 }).onConflictDoNothing();
    const [row] = await tx.select().from(loginThrottles).where(eq(loginThrottles.key, key)).for('update');
    const now = Date.now();
    const blockedFor = (row?.blockedUntil?.getTime() ?? 0) - now;
    if (blockedFor > 0) return blockedFor;
    const stale = !row || row.failures === 0 || now - row.lastFailureAt.getTime() > policy.forgetAfterMs;
    const failures = stale ? 1 : (row.failures ?? 0) + 1;
    await tx
      .update(loginThrottles)
      .set({ failures, lastFailureAt: new Date(now), blockedUntil: new Date(now + policy.blockAfter(failures)) })
      .where(eq(loginThrottles.key, key));
    return 0;
  });
}

/** The attempt succeeded: its account starts afresh. */
export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.delete(loginThrottles).where(eq(loginThrottles.key, key));
}

/** The attempt succeeded: an address keeps its other failures, but not this one or its block. */
export async function forgiveAttempt(db: Db, key: string): Promise<void> {
  await db
    .update(loginThrottles)
    .set({ failures: sql`greatest(${loginThrottles.failures} - 1, 0)`, blockedUntil: null })
    .where(eq(loginThrottles.key, key));
}
