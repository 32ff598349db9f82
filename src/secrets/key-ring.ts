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

export function unwrapKey(master: Buffer, id: string, wrapped: string): Buffer {
  try {
    return decrypt(master, Buffer.from(wrapped, 'base64url'), wrapContext(id));
  } catch {
    throw new Error(`secret key ${id} in the database does not open with the configured BERTH_SECRET_KEY (is it the same key as when the rotation ran?)`);
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

  constructor(private readonly master: Buffer) {
    if (master.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes`);
    this.masterId = masterKeyId(master);
    this.keys.set(this.masterId, master);
    this.currentId = this.masterId;
  }

  /** The key new values are sealed under. */
  current(): { id: string; key: Buffer } {
    return { id: this.currentId, key: this.keys.get(this.currentId) as Buffer };
  }

  key(id: string): Buffer | undefined {
    return this.keys.get(id);
  }

  /** Opens values sealed before keys had ids (format v1): they were sealed with the master key. */
  legacyKey(): Buffer {
    return this.master;
  }

  /** Takes the database's list: new keys unwrapped (once), the current one marked. */
  apply(stored: StoredKey[]): void {
    for (const s of stored) {
      if (s.wrapped !== null && !this.keys.has(s.id)) this.keys.set(s.id, unwrapKey(this.master, s.id, s.wrapped));
    }
    const current = stored.find((s) => s.state === 'current');
    this.currentId = current && this.keys.has(current.id) ? current.id : this.masterId;
  }

  /** A fresh key for a rotation, sealed under the master key (what secret_keys stores). */
  newWrappedKey(id: string): string {
    return wrapKey(this.master, id, newDataKey());
  }

  /** Ids this process knows, for listing (never the keys). */
  ids(): string[] {
    return [...this.keys.keys()];
  }
}
