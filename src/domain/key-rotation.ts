// A key rotation as its workflow reports it (the keyRotationProgress query, the API, `berth
// keys rotate`): which phase it is in and how far re-sealing has come, field by field.

export type KeyRotationPhase = 'adding-key' | 'settling' | 'resealing' | 'retiring' | 'done';

export interface KeyRotationInput {
  /** The new key's id (minted by the caller, so a retried start finds the same key). */
  keyId: string;
  /** Values re-sealed per activity. */
  batchSize: number;
  /** How long every process gets to learn the new key before re-sealing starts. */
  settleMs: number;
}

export interface FieldProgress {
  /** table.column */
  field: string;
  /** Values not under the new key when its pass began. */
  pending: number;
  resealed: number;
}

export interface KeyRotationProgress {
  keyId: string;
  phase: KeyRotationPhase;
  /** Re-sealing passes so far (another runs when values were sealed under an old key meanwhile). */
  passes: number;
  fields: FieldProgress[];
  resealed: number;
  pending: number;
  /** Values that open under no known key (row names only): the old keys stay until they are dealt with. */
  unreadable: string[];
  retired: string[];
}

/** A finished rotation's result: its last progress (so reading it needs no worker). */
export type KeyRotationResult = KeyRotationProgress;

/** Passes over every field before the rotation gives up retiring (values keep appearing under old keys). */
export const MAX_RESEAL_PASSES = 3;
export const DEFAULT_RESEAL_BATCH = 200;

export interface ResealBatch {
  resealed: number;
  /** Values that open under no key this process knows (named by row, never by value). */
  unreadable: string[];
  /** The last row looked at; null when the field has no more rows after the cursor. */
  cursor: string[] | null;
}
