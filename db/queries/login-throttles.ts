// Failed sign-ins, counted per key in the database so every API process sees the same counts.
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { loginThrottles } from '../schema/index.js';

export type ThrottleRow = typeof loginThrottles.$inferSelect;

export async function readThrottles(db: Db, keys: string[]): Promise<ThrottleRow[]> {
  return db.select().from(loginThrottles).where(inArray(loginThrottles.key, keys));
}

/** Counts one more failure (starting again after `forgetAfterMs` of quiet); returns the new count. */
export async function countFailure(db: Db, key: string, forgetAfterMs: number): Promise<number> {
  const [row] = await db
    .insert(loginThrottles)
    .values({ key, failures: 1 })
    .onConflictDoUpdate({
      target: loginThrottles.key,
      set: {
        failures: sql`case when ${loginThrottles.lastFailureAt} < now() - make_interval(secs => ${forgetAfterMs / 1000}) then 1 else ${loginThrottles.failures} + 1 end`,
        lastFailureAt: sql`now()`,
      },
    })
    .returning({ failures: loginThrottles.failures });
  return row?.failures ?? 1;
}

export async function blockUntil(db: Db, key: string, until: Date): Promise<void> {
  await db.update(loginThrottles).set({ blockedUntil: until }).where(eq(loginThrottles.key, key));
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.delete(loginThrottles).where(eq(loginThrottles.key, key));
}
