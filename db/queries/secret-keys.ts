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

/**
 * A master key change (BERTH_SECRET_KEY new, BERTH_SECRET_KEY_PREVIOUS the old one): every row
 * still wrapped under the old master is wrapped again under the new one, and the old master
 * becomes a stored key of its own (wrapped under the new master; current if it sealed new values
 * until now), so values and Temporal payloads sealed under it keep opening once the previous key
 * is no longer configured. Run by every process at start while the previous key is configured;
 * idempotent (a second run finds every row wrapped under the new master). Returns the ids wrapped again.
 */
export async function adoptPreviousMaster(db: Db, ring: KeyRing): Promise<string[]> {
  const previous = ring.previousMaster();
  if (!previous) return [];
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table secret_keys in exclusive mode`);
    const rows = await tx.select().from(secretKeys);
    const changed: string[] = [];
    for (const row of rows) {
      if (row.id === ring.masterId) continue;
      if (row.wrapped !== null && ring.wrappedUnderMaster(row.id, row.wrapped)) continue;
      if (row.wrapped === null && row.id !== previous.id) continue;
      // Learn it with the previous master (or as the previous master itself), then wrap it anew.
      if (row.wrapped !== null) ring.learn(row.id, row.wrapped);
      await tx.update(secretKeys).set({ wrapped: ring.wrapUnderMaster(row.id) }).where(eq(secretKeys.id, row.id));
      changed.push(row.id);
    }
    if (!rows.some((r) => r.id === previous.id)) {
      // Never rotated: the previous master sealed everything, and goes on sealing until a rotation.
      const state = rows.some((r) => r.state === 'current') ? 'active' : 'current';
      await tx.insert(secretKeys).values({ id: previous.id, wrapped: ring.wrapUnderMaster(previous.id), state });
      changed.push(previous.id);
    }
    return changed.sort();
  });
}

/** Removes a retired key's row (the caller checked that nothing uses it); a key in any other state stays. */
export async function removeRetiredKey(db: Db, id: string): Promise<boolean> {
  const removed = await db.delete(secretKeys).where(and(eq(secretKeys.id, id), eq(secretKeys.state, 'retired'))).returning({ id: secretKeys.id });
  return removed.length > 0;
}
