// Secrets at rest (a GitHub App's private key and webhook secret, build secrets, secret
// variables, release snapshots, DNS credentials, certificate keys) are sealed with AES-256-GCM:
// a fresh 96-bit nonce per value, the tag checked on open, and a context string bound in as
// associated data, so a sealed value moved to another column or row no longer opens. Each value
// names the key that sealed it (v2.<key id>.…), so several keys can be in use while a rotation
// re-seals (src/secrets/key-ring.ts); values sealed before keys had ids (v1.…) were sealed with
// the configured key and still open with it. No key ever leaves this process.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config.js';
import { decrypt, encrypt, KEY_BYTES, KeyRing } from './key-ring.js';

const LEGACY = 'v1';
const VERSION = 'v2';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  /** `context` names where the value lives (e.g. "github-app:gha_…:private-key"). */
  seal(plaintext: string, context: string): string;
  /** Throws when the value was changed, sealed under an unknown key, or for another context. */
  open(sealed: string, context: string): string;
  /** The id of the key a value is sealed under; null for the v1 format (the configured key); undefined when not sealed at all. */
  keyIdOf(sealed: string): string | null | undefined;
  /** Sealed again under `keyId` (a rotation's key); throws like open. */
  reseal(sealed: string, context: string, keyId: string): string;
  readonly ring: KeyRing;
}

export class SecretOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretOpenError';
  }
}

function pack(keyId: string, sealed: Buffer): string {
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  return [VERSION, keyId, nonce.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
}

/** The parts of a sealed value: its key id (null: v1) and nonce ‖ ciphertext ‖ tag. */
function unpack(sealed: string): { keyId: string | null; bytes: Buffer } | null {
  const parts = sealed.split('.');
  const [version] = parts;
  let keyId: string | null = null;
  let rest: string[];
  if (version === LEGACY && parts.length === 4) rest = parts.slice(1);
  else if (version === VERSION && parts.length === 5 && parts[1]) {
    keyId = parts[1];
    rest = parts.slice(2);
  } else return null;
  const [nonce, tag, body] = rest.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  return { keyId, bytes: Buffer.concat([nonce, body, tag]) };
}

/** A box over a key ring; a bare key makes a ring of that key alone (tools, tests, the OpenAPI document). */
export function createSecretBox(keys: KeyRing | Buffer): SecretBox {
  const ring = keys instanceof KeyRing ? keys : new KeyRing(keys);
  const sealWith = (id: string, key: Buffer, plaintext: string, context: string) => pack(id, encrypt(key, Buffer.from(plaintext, 'utf8'), context));
  const open = (sealed: string, context: string) => {
    const parts = unpack(sealed);
    if (!parts) throw new SecretOpenError('not a sealed value');
    if (parts.keyId === null) {
      for (const legacy of ring.legacyKeys()) {
        try {
          return decrypt(legacy, parts.bytes, context).toString('utf8');
        } catch {
          // the next candidate
        }
      }
      throw new SecretOpenError(`sealed value for ${context} does not open with its key`);
    }
    const key = ring.key(parts.keyId);
    if (!key) {
      // Another process added the key a moment ago: learn it for the next attempt.
      void ring.reload?.().catch(() => {});
      throw new SecretOpenError(`sealed value for ${context} is under key ${parts.keyId}, which this process does not know (yet)`);
    }
    try {
      return decrypt(key, parts.bytes, context).toString('utf8');
    } catch {
      // GCM says only "unable to authenticate": the key, the context or the value is wrong.
      throw new SecretOpenError(`sealed value for ${context} does not open with its key`);
    }
  };
  return {
    ring,
    seal(plaintext, context) {
      const { id, key } = ring.current();
      return sealWith(id, key, plaintext, context);
    },
    open,
    keyIdOf(sealed) {
      const parts = unpack(sealed);
      return parts ? parts.keyId : undefined;
    },
    reseal(sealed, context, keyId) {
      const key = ring.key(keyId);
      if (!key) throw new SecretOpenError(`key ${keyId} is not known to this process`);
      return sealWith(keyId, key, open(sealed, context), context);
    },
  };
}

export class MissingSecretKeyError extends Error {
  constructor(keyFile: string) {
    super(`no secret key: set BERTH_SECRET_KEY (openssl rand -base64 32), the same for the API and every worker, or put one in ${keyFile}`);
    this.name = 'MissingSecretKeyError';
  }
}

/**
 * The configured key, or the one kept in the data directory. There is no fallback: a missing
 * key is a start-up error (only `berth dev`, one process on one machine, makes the key file).
 */
export function loadSecretKey(secrets: Config['secrets']): Buffer {
  if (secrets.key) return secrets.key;
  let text: string;
  try {
    text = readFileSync(secrets.keyFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingSecretKeyError(secrets.keyFile);
    throw err;
  }
  const stored = Buffer.from(text.trim(), 'base64');
  if (stored.length !== KEY_BYTES) throw new Error(`${secrets.keyFile} does not hold a ${KEY_BYTES}-byte key`);
  return stored;
}

/** `berth dev`: the key file is made once (mode 0600) when no key is configured. */
export function ensureSecretKey(secrets: Config['secrets']): Buffer {
  try {
    return loadSecretKey(secrets);
  } catch (err) {
    if (!(err instanceof MissingSecretKeyError)) throw err;
  }
  mkdirSync(dirname(secrets.keyFile), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    // 'wx': when two processes start at once, the first one's key wins and the other reads it.
    writeFileSync(secrets.keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretKey(secrets);
    throw err;
  }
}
