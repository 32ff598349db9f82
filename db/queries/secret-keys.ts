// The key ring's rows: read by every process (and re-read while it runs), written only by the
// key rotation's activities.
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { type KeyRing, type StoredKey } from '../../src/secrets/key-ring.js';
import type { Db } from '../client.js';
import { secretKeys } from '../schema/index.js';

export type SecretKeyRow = typeof secretKeys.$inferSelect;

export async function listSecretKeys(db: Db): Promise<SecretKeyRow[]> {
  return db.select().from(secretKeys).orderBy(asc(secretKeys.createdAt), asc(secretKeys.id));
}

/** Reads the rows into the ring (new keys unwrapped with the master key, the current one marked). */
export async function loadKeyRing(db: Db, ring: KeyRing): Promise<void> {
  const rows = await db.select({ id: secretKeys.id, wrapped: secretKeys.wrapped, state: secretKeys.state }).from(secretKeys);
  ring.apply(rows as StoredKey[]);
}

/**
 * Adds `keyId` as the current key: a fresh random key sealed under the master key, the previous
 * current one kept as active (it still opens its values). Run again (a retried activity), it
 * finds the key there and changes nothing.
 */
export async function addSecretKey(db: Db, ring: KeyRing, keyId: string): Promise<'added' | 'exists'> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table secret_keys in exclusive mode`);
    const [existing] = await tx.select({ id: secretKeys.id }).from(secretKeys).where(eq(secretKeys.id, keyId));
    if (existing) return 'exists';
    // The master key gets a row of its own, so listings and retirement treat it like any key.
    await tx.insert(secretKeys).values({ id: ring.masterId, wrapped: null, state: 'active' }).onConflictDoNothing();
    await tx.update(secretKeys).set({ state: 'active' }).where(eq(secretKeys.state, 'current'));
    await tx.insert(secretKeys).values({ id: keyId, wrapped: ring.newWrappedKey(keyId), state: 'current' });
    return 'added';
  });
}

/** Every key but `keyId` that is not retired yet becomes retired; returns their ids. */
export async function retireSecretKeysBut(db: Db, keyId: string): Promise<string[]> {
  const retired = await db
    .update(secretKeys)
    .set({ state: 'retired', retiredAt: new Date() })
    .where(and(ne(secretKeys.id, keyId), ne(secretKeys.state, 'retired')))
    .returning({ id: secretKeys.id });
  return retired.map((r) => r.id).sort();
}
