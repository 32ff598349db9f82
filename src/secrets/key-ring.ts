// The keys that seal secrets at rest and encrypt Temporal payloads. The configured key
// (BERTH_SECRET_KEY or the data directory's key file) is the master: it seals directly until
// the first rotation, and it wraps every key a rotation adds (stored in secret_keys, so every
// API and worker process learns new keys from the database, never from a file to copy). One
// key is current (new values are sealed under it); the others still open what they sealed.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
/** How often each process reads the database's keys again (src/process/key-ring-watch.ts). */
export const KEY_RING_REFRESH_MS = 2000;
/** A rotation waits this long after adding its key, so every process has learnt it before re-sealing. */
export const KEY_SETTLE_MS = 2 * KEY_RING_REFRESH_MS + 1000;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM of `plain` with `aad` bound in: nonce ‖ ciphertext ‖ tag. */
export function encrypt(key: Buffer, plain: Uint8Array, aad: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** The inverse of encrypt; throws when the key, the aad or the bytes are wrong. */
export function decrypt(key: Buffer, sealed: Uint8Array, aad: string): Buffer {
  const data = Buffer.from(sealed);
  if (data.length < NONCE_BYTES + TAG_BYTES) throw new Error('too short to be sealed');
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  return Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
}

/**
 * The master key's id: derived from the key (an HMAC, so it says nothing about it), so every
 * process that has the same key names it the same way without storing anything.
 */
export function masterKeyId(master: Buffer): string {
  return `mk${createHmac('sha256', master).update('berth secret key id').digest('hex').slice(0, 12)}`;
}

/** A rotation's key: random, from the operating system's generator. */
export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

const wrapContext = (id: string) => `secret-key:${id}`;

/** A data key sealed under the master key, bound to its id (what secret_keys stores). */
export function wrapKey(master: Buffer, id: string, key: Buffer): string {
  return encrypt(master, key, wrapContext(id)).toString('base64url');
}

export function unwrapKey(master: Buffer, id: string, wrapped: string, previous?: Buffer | null): Buffer {
  try {
    return decrypt(master, Buffer.from(wrapped, 'base64url'), wrapContext(id));
  } catch {
    // While the master key is changed, rows not yet wrapped again open with the previous one.
    if (previous) return unwrapKey(previous, id, wrapped);
    throw new Error(`secret key ${id} in the database does not open with the configured BERTH_SECRET_KEY (is it the same key as when the rotation ran? changing it: BERTH_SECRET_KEY_PREVIOUS, docs/secrets.md)`);
  }
}

/** Does this stored key open with `master`? (Rows still wrapped under a previous master do not.) */
export function opensWith(master: Buffer, id: string, wrapped: string): boolean {
  try {
    decrypt(master, Buffer.from(wrapped, 'base64url'), wrapContext(id));
    return true;
  } catch {
    return false;
  }
}

/** A key as the database lists it. `wrapped` is null for the master key's own row. */
export interface StoredKey {
  id: string;
  wrapped: string | null;
  state: 'current' | 'active' | 'retired';
}

export class KeyRing {
  readonly masterId: string;
  private readonly keys = new Map<string, Buffer>();
  private currentId: string;
  /** Set by whoever can reload the ring (the database watcher): asked when a key is unknown. */
  reload: (() => Promise<void>) | null = null;

  /** The master key being replaced (BERTH_SECRET_KEY_PREVIOUS), while it is: see adoptPreviousMaster. */
  readonly previousId: string | null;

  constructor(
    private readonly master: Buffer,
    private readonly previous: Buffer | null = null,
  ) {
    if (master.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes`);
    if (previous && previous.length !== KEY_BYTES) throw new Error(`previous secret key must be ${KEY_BYTES} bytes`);
    this.masterId = masterKeyId(master);
    this.keys.set(this.masterId, master);
    this.previousId = previous && !previous.equals(master) ? masterKeyId(previous) : null;
    if (this.previousId && previous) this.keys.set(this.previousId, previous);
    this.currentId = this.masterId;
  }

  /** The key new values are sealed under. */
  current(): { id: string; key: Buffer } {
    return { id: this.currentId, key: this.keys.get(this.currentId) as Buffer };
  }

  key(id: string): Buffer | undefined {
    return this.keys.get(id);
  }

  /**
   * Candidates for values sealed before keys had ids (format v1): they were sealed with the
   * master key of the time — this one, or one it replaced (kept as a master's key id, mk…).
   */
  legacyKeys(): Buffer[] {
    return [this.master, ...[...this.keys].filter(([id]) => id !== this.masterId && id.startsWith('mk')).map(([, key]) => key)];
  }

  /** Takes the database's list: new keys unwrapped (once), the current one marked. */
  apply(stored: StoredKey[]): void {
    for (const s of stored) if (s.wrapped !== null) this.learn(s.id, s.wrapped);
    const current = stored.find((s) => s.state === 'current');
    this.currentId = current && this.keys.has(current.id) ? current.id : this.masterId;
  }

  /** Learns one stored key (unwrapped with the master key, or the previous one while it is changed). */
  learn(id: string, wrapped: string): void {
    if (!this.keys.has(id)) this.keys.set(id, unwrapKey(this.master, id, wrapped, this.previous));
  }

  /** The previous master key (id and key) while one is configured, to be adopted (db/queries/secret-keys.ts). */
  previousMaster(): { id: string; key: Buffer } | null {
    return this.previousId && this.previous ? { id: this.previousId, key: this.previous } : null;
  }

  /** A known key sealed under the master key (a row wrapped again after a master key change). */
  wrapUnderMaster(id: string): string {
    const key = this.keys.get(id);
    if (!key) throw new Error(`secret key ${id} is not known to this process`);
    return wrapKey(this.master, id, key);
  }

  /** Is a stored row wrapped under the configured master key already? */
  wrappedUnderMaster(id: string, wrapped: string): boolean {
    return opensWith(this.master, id, wrapped);
  }

  /** A fresh key for a rotation, sealed under the master key (what secret_keys stores). */
  newWrappedKey(id: string): string {
    return wrapKey(this.master, id, newDataKey());
  }

  /** HMAC-SHA256 of `label` under the master key, hex: a value every process of the installation derives alike. */
  derive(label: string): string {
    return createHmac('sha256', this.master).update(label).digest('hex');
  }

  /** Ids this process knows, for listing (never the keys). */
  ids(): string[] {
    return [...this.keys.keys()];
  }
}
