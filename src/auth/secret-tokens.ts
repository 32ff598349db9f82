// Bearer secrets Berth hands out: API tokens, session cookies, setup tokens. Each is 32 random
// bytes behind a recognisable prefix (secret scanners, and people, can tell what leaked);
// only its SHA-256 is stored, so the database never holds a usable credential. SHA-256 without
// a salt is enough here: the secrets are random, not guessable like passwords.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = {
  api: 'berth_pat_',
  session: 'berth_ses_',
  setup: 'berth_setup_',
  csrf: 'berth_csrf_',
} as const;

export type TokenKind = keyof typeof TOKEN_PREFIX;

const BODY = /^[A-Za-z0-9_-]{43}$/;

export function newSecretToken(kind: TokenKind): string {
  return `${TOKEN_PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
}

/** Is it shaped like a token of this kind? (Checked before any database look-up.) */
export function isSecretToken(kind: TokenKind, value: string): boolean {
  return value.startsWith(TOKEN_PREFIX[kind]) && BODY.test(value.slice(TOKEN_PREFIX[kind].length));
}

export function hashSecretToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** For a list: the prefix and four characters, enough to recognise a token, useless to use it. */
export function tokenDisplayPrefix(value: string): string {
  const kind = (Object.keys(TOKEN_PREFIX) as TokenKind[]).find((k) => value.startsWith(TOKEN_PREFIX[k]));
  const prefix = kind ? TOKEN_PREFIX[kind] : '';
  return value.slice(0, prefix.length + 4);
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
