// Each API and worker process holds the key ring in memory (sealing is synchronous) and reads
// the database's key rows again every few seconds, so a key a rotation adds in one process is
// known to every other within KEY_RING_REFRESH_MS. The rotation waits twice that long before it
// re-seals anything (workflows/rotate-secret-keys.ts), so no process seals under the old key
// once re-sealing has begun.
import { adoptPreviousMaster, loadKeyRing } from '../../db/queries/secret-keys.js';
import type { Db } from '../../db/client.js';
import type { Logger } from '../logger.js';
import { KEY_RING_REFRESH_MS, KeyRing } from '../secrets/key-ring.js';

export interface WatchedKeyRing {
  ring: KeyRing;
  stop(): void;
}

/**
 * The ring as the database has it now (one-shot commands); it reloads itself on an unknown key.
 * With the master key being changed (`previous`), the database's keys are first wrapped again
 * under the new one (db/queries/secret-keys.ts, adoptPreviousMaster).
 */
export async function readKeyRing(db: Db, master: Buffer, previous?: Buffer | null): Promise<KeyRing> {
  const ring = new KeyRing(master, previous ?? null);
  if (ring.previousMaster()) await adoptPreviousMaster(db, ring);
  ring.reload = () => loadKeyRing(db, ring);
  await ring.reload();
  return ring;
}

export async function watchKeyRing(db: Db, master: Buffer, log: Logger, previous?: Buffer | null): Promise<WatchedKeyRing> {
  const ring = await readKeyRing(db, master, previous);
  const adopted = ring.previousMaster();
  if (adopted) log.warn({ previousKeyId: adopted.id, masterKeyId: ring.masterId }, 'BERTH_SECRET_KEY_PREVIOUS is set: keys wrapped again under the new master key; run a key rotation, then remove it');
  const timer = setInterval(() => {
    ring.reload?.().catch((err: unknown) => log.warn({ err }, 'secret keys could not be read again'));
  }, KEY_RING_REFRESH_MS);
  timer.unref();
  return { ring, stop: () => clearInterval(timer) };
}
