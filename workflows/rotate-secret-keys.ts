// Key rotation (secret-key-rotation): add a new key and make it current, give every process
// time to learn it, re-seal every stored secret under it in batches, then retire the old keys
// once no stored value is left under one. Progress is a query. Each batch is an activity whose
// result (how many, and the cursor) is in history, so after a worker crash the rotation
// resumes at the batch it was on; a batch run twice re-seals nothing twice.
import { proxyActivities, setHandler, sleep, ApplicationFailure } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import { MAX_RESEAL_PASSES, type KeyRotationInput, type ResealBatch, type KeyRotationProgress, type KeyRotationResult } from '../src/domain/key-rotation.js';
import { keyRotationProgressQuery } from '../src/domain/workflow-definitions.js';
import { KEYS } from './activity-profiles.js';

export async function rotateSecretKeys(input: KeyRotationInput): Promise<KeyRotationResult> {
  const keys = proxyActivities<ControlActivities>(KEYS);
  const progress: KeyRotationProgress = { keyId: input.keyId, phase: 'adding-key', passes: 0, fields: [], resealed: 0, pending: 0, unreadable: [], retired: [] };
  setHandler(keyRotationProgressQuery, () => progress);

  await keys.addSecretKey({ keyId: input.keyId });
  // Processes read the ring every KEY_RING_REFRESH_MS: after this, none seals under an old key.
  progress.phase = 'settling';
  await sleep(input.settleMs);

  while (progress.passes < MAX_RESEAL_PASSES) {
    progress.passes += 1;
    progress.phase = 'resealing';
    progress.fields = (await keys.countSealedValues({ keyId: input.keyId })).map((f) => ({ ...f, resealed: 0 }));
    progress.pending = progress.fields.reduce((n, f) => n + f.pending, 0);
    progress.unreadable = [];
    for (const field of progress.fields) {
      let cursor: string[] | null = null;
      if (field.pending === 0) continue;
      do {
        const batch: ResealBatch = await keys.resealBatch({ field: field.field, keyId: input.keyId, limit: input.batchSize, cursor });
        field.resealed += batch.resealed;
        progress.resealed += batch.resealed;
        progress.unreadable.push(...batch.unreadable);
        cursor = batch.cursor;
      } while (cursor !== null);
    }
    if (progress.unreadable.length > 0) break;
    progress.phase = 'retiring';
    const { retired, remaining } = await keys.retireSecretKeys({ keyId: input.keyId });
    if (remaining === 0) {
      progress.retired = retired;
      progress.phase = 'done';
      return progress;
    }
  }
  // The new key is current and holds everything it could; the old ones stay until the values
  // named here are replaced or removed, and another rotation retires them.
  throw ApplicationFailure.nonRetryable(
    progress.unreadable.length > 0
      ? `${progress.unreadable.length} sealed value(s) open under no known key: ${progress.unreadable.slice(0, 10).join(', ')}`
      : `values were still being sealed under old keys after ${MAX_RESEAL_PASSES} passes`,
    'KeysNotRetired',
  );
}
