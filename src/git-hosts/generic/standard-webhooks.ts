// Standard Webhooks (standardwebhooks.com), the format GitLab's signed webhooks also use:
// webhook-id, webhook-timestamp (Unix seconds) and webhook-signature, a space-separated list of
// "v1,<base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`>" made with the secret's bytes (the
// base64 after "whsec_"). The timestamp is signed too, so a captured delivery replayed outside
// the window fails; inside it, the id (the de-duplication key) makes the replay a duplicate.
import { randomBytes } from 'node:crypto';
import { bytesMatch, hmacSha256 } from '../hmac.js';
import type { HeaderLookup } from '../provider.js';

/** How far a delivery's timestamp may be from now, either way. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export type StandardVerification = { ok: true; id: string } | { ok: false; reason: 'missing' | 'mismatch' | 'stale' };

/** A new secret in the format senders expect (whsec_ + base64 of 32 random bytes). */
export function newStandardSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** The signature header a sender puts on `raw` (used by tests and by senders written in TypeScript). */
export function signStandard(secret: string, id: string, timestamp: number, raw: Uint8Array | string): string {
  const body = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  return `v1,${hmacSha256(secretBytes(secret), `${id}.${timestamp}.${body}`).toString('base64')}`;
}

export function verifyStandard(raw: Uint8Array, header: HeaderLookup, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): StandardVerification {
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing' };
  if (!ID.test(id) || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: 'stale' };
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.from(raw)]);
  const expected = hmacSha256(secretBytes(secret), signed);
  // Several signatures may be sent (during a secret rotation): any v1 one that matches will do.
  const matched = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .some((s) => bytesMatch(expected, Buffer.from(s.slice(3), 'base64')));
  return matched ? { ok: true, id } : { ok: false, reason: 'mismatch' };
}
