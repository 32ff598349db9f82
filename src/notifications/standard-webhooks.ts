// The Standard Webhooks signature (standardwebhooks.com): HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<body>" with the secret's bytes (base64 after "whsec_"),
// sent as "v1,<base64>" beside the id and the Unix timestamp. Receivers check it with any of
// the spec's libraries, reject timestamps outside their window, and de-duplicate by the id.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** What receivers should accept around their own clock (the spec's libraries use 5 minutes). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

export function isSigningSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const key = Buffer.from(value.slice(SECRET_PREFIX.length), 'base64');
  return key.length >= 24 && key.length <= 64;
}

function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** The three headers of a signed message. */
export function signatureHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature(secret, id, timestamp, body)}` };
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** A receiver's check: the signature (any of the space-separated ones) and the timestamp window. */
export function verifySignature(secret: string, headers: { id?: string | undefined; timestamp?: string | undefined; signature?: string | undefined }, body: string, nowSeconds: number): Verdict {
  const { id, timestamp, signature: sent } = headers;
  if (!id || !timestamp || !sent) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  const ts = Number(timestamp);
  if (!Number.isInteger(ts)) return { ok: false, reason: 'webhook-timestamp is not a Unix time' };
  if (Math.abs(nowSeconds - ts) > TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp outside the tolerance window' };
  const expected = Buffer.from(signature(secret, id, ts, body));
  const matches = sent.split(' ').some((part) => {
    const [version, value] = part.split(',');
    if (version !== 'v1' || value === undefined) return false;
    const given = Buffer.from(value);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'no signature matches' };
}
