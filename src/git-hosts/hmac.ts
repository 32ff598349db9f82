// HMAC-SHA256 signatures as git hosts send them, compared in constant time: a comparison that
// stops at the first differing byte tells an attacker how much of a forged signature is right.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256(secret: string | Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/** Does `given` (hex, as Gitea sends it) equal the HMAC of `raw`? Constant time in the content. */
export function hexSignatureMatches(secret: string, raw: Uint8Array, given: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(given)) return false;
  return timingSafeEqual(hmacSha256(secret, raw), Buffer.from(given, 'hex'));
}

/** Do two byte strings match? Constant time for equal lengths (the length itself is public). */
export function bytesMatch(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
