// The key rotation's steps on the database: add the new key, re-seal one batch of one sealed
// field, count what is left, retire the old keys. Each is idempotent (db/queries/secret-keys.ts,
// db/queries/sealed-fields.ts), so a worker killed mid-step is simply run again.
import { addSecretKey, loadKeyRing, retireSecretKeysBut } from '../../db/queries/secret-keys.js';
import { countNotUnder, resealBatch, SEALED_FIELDS } from '../../db/queries/sealed-fields.js';
import type { Db } from '../../db/client.js';
import { withHeartbeat } from '../heartbeat.js';
import type { ResealBatch } from '../../src/domain/key-rotation.js';
import type { Logger } from '../../src/logger.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';

export function createKeyActivities({ db, box, log }: { db: Db; box: SecretBox; log: Logger }) {
  /** The worker's ring must know `keyId` before sealing under it (another worker may have added it). */
  const know = async (keyId: string) => {
    if (!box.ring.key(keyId)) await loadKeyRing(db, box.ring);
    if (!box.ring.key(keyId)) throw new Error(`secret key ${keyId} is not in the database`);
  };

  return {
    async addSecretKey(input: { keyId: string }): Promise<'added' | 'exists'> {
      const outcome = await addSecretKey(db, box.ring, input.keyId);
      await loadKeyRing(db, box.ring);
      log.info({ keyId: input.keyId, outcome }, 'secret key added');
      return outcome;
    },

    /** Values not under `keyId`, per sealed field (in SEALED_FIELDS order). */
    async countSealedValues(input: { keyId: string }): Promise<{ field: string; pending: number }[]> {
      const counts = await countNotUnder(db, input.keyId);
      return SEALED_FIELDS.map((f) => ({ field: f.name, pending: counts[f.name] ?? 0 }));
    },

    async resealBatch(input: { field: string; keyId: string; limit: number; cursor: string[] | null }): Promise<ResealBatch> {
      await know(input.keyId);
      return withHeartbeat(() => resealBatch(db, box, input));
    },

    /** Retires every other key once no stored value is left under one; else says how many are. */
    async retireSecretKeys(input: { keyId: string }): Promise<{ retired: string[]; remaining: number }> {
      const remaining = Object.values(await countNotUnder(db, input.keyId)).reduce((a, b) => a + b, 0);
      if (remaining > 0) return { retired: [], remaining };
      const retired = await retireSecretKeysBut(db, input.keyId);
      log.info({ keyId: input.keyId, retired }, 'secret keys retired');
      return { retired, remaining: 0 };
    },
  };
}

export type KeyActivities = ReturnType<typeof createKeyActivities>;
