// Secrets at rest (a GitHub App's private key and webhook secret, build secrets) are sealed
// with AES-256-GCM: a fresh 96-bit nonce per value, the tag checked on open, and a context
// string bound in as associated data, so a sealed value moved to another column or row no
// longer opens. The key never leaves this process: it comes from the configuration or from a
// key file made once in the data directory (mode 0600).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config.js';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const KEY_BYTES = 32;

export interface SecretBox {
  /** `context` names where the value lives (e.g. "github-app:gha_…:private-key"). */
  seal(plaintext: string, context: string): string;
  /** Throws when the value was changed, sealed under another key, or for another context. */
  open(sealed: string, context: string): string;
}

export class SecretOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretOpenError';
  }
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes`);
  return {
    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, context) {
      const [version, nonce, tag, body] = sealed.split('.');
      if (version !== VERSION || nonce === undefined || tag === undefined || body === undefined) {
        throw new SecretOpenError('not a sealed value');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // GCM says only "unable to authenticate": the key, the context or the value is wrong.
        throw new SecretOpenError(`sealed value for ${context} does not open with this key`);
      }
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
