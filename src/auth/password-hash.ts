// Passwords are kept as scrypt hashes (memory-hard, in Node's own crypto: no native add-on to
// build). Parameters follow OWASP's minimum for scrypt (N=2^17, r=8, p=1: 128 MiB and a few
// hundred milliseconds per hash) and travel inside the stored string, so they can be raised
// later without breaking existing hashes. Hashes run at most two at a time, so a burst of
// sign-ins cannot take the machine's memory.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { BerthError } from '../errors.js';

const LOG_N = 17;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const MAX_CONCURRENT = 2;
/** Beyond this many waiting, a hash is refused at once (503) rather than queued behind a flood. */
const MAX_WAITING = 32;

export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase; bounded so nobody makes the server hash megabytes. */
export const MAX_PASSWORD_LENGTH = 1024;

function scrypt(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 2 * 128 * r * 2 ** logN + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCallback(password.normalize('NFKC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
}

let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT && waiting.length >= MAX_WAITING) throw new BerthError('Unavailable', 'too many sign-ins at once: try again in a moment');
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** "scrypt$<log2 N>$<r>$<p>$<salt>$<hash>", salt and hash in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await limited(() => scrypt(password, salt, LOG_N, R, P));
  return ['scrypt', LOG_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Compares in constant time; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, logN, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const [n, rr, pp] = [Number(logN), Number(r), Number(p)];
  if (![n, rr, pp].every(Number.isInteger) || n < 10 || n > 22 || rr < 1 || rr > 32 || pp < 1 || pp > 16) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await limited(() => scrypt(password, Buffer.from(salt, 'base64url'), n, rr, pp));
  return expected.length === key.length && timingSafeEqual(expected, key);
}

let dummy: Promise<string> | null = null;

/**
 * Spends the same work as checking a real password, for sign-ins naming no (usable) account:
 * the answer and its timing are the same as for a wrong password.
 */
export async function verifyNoPassword(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummy);
  return false;
}
