// Each API and worker process holds the key ring in memory (sealing is synchronous) and reads
// the database's key rows again every few seconds, so a key a rotation adds in one process is
// known to every other within KEY_RING_REFRESH_MS. The rotation waits twice that long before it
// re-seals anything (workflows/rotate-secret-keys.ts), so no process seals under the old key
// once re-sealing has begun.
import { loadKeyRing } from '../../db/queries/secret-keys.js';
import type { Db } from '../../db/client.js';
import type { Logger } from '../logger.js';
import { KEY_RING_REFRESH_MS, KeyRing } from '../secrets/key-ring.js';

export interface WatchedKeyRing {
  ring: KeyRing;
  stop(): void;
}

/** The ring as the database has it now (one-shot commands); it reloads itself on an unknown key. */
export async function readKeyRing(db: Db, master: Buffer): Promise<KeyRing> {
  const ring = new KeyRing(master);
  ring.reload = () => loadKeyRing(db, ring);
  await ring.reload();
  return ring;
}

export async function watchKeyRing(db: Db, master: Buffer, log: Logger): Promise<WatchedKeyRing> {
  const ring = await readKeyRing(db, master);
  const timer = setInterval(() => {
    ring.reload?.().catch((err: unknown) => log.warn({ err }, 'secret keys could not be read again'));
  }, KEY_RING_REFRESH_MS);
  timer.unref();
  return { ring, stop: () => clearInterval(timer) };
}
