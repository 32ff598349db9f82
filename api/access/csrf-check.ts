// Changes made with a session cookie must prove they come from Berth's own pages: the session's
// CSRF token in X-CSRF-Token (compared in constant time). Any change whose browser names an
// Origin must name Berth's own. API tokens are not sent by browsers on their own, so requests
// that carry one need neither.
import type { Context } from 'hono';
import { sameSecret } from '../../src/auth/secret-tokens.js';
import type { AppEnv } from '../deps.js';
import { HttpError } from '../errors.js';
import { CSRF_HEADER } from './session-cookie.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isSafeMethod = (method: string) => SAFE_METHODS.has(method);

/** The origins a browser may send changes from: Berth's public URL, or the host it was reached at. */
export function originAllowed(origin: string, requestUrl: string, publicUrl: string): boolean {
  if (origin === new URL(publicUrl).origin) return true;
  return origin === new URL(requestUrl).origin;
}

export function checkOrigin(c: Context<AppEnv>, publicUrl: string): void {
  if (isSafeMethod(c.req.method)) return;
  const origin = c.req.header('origin');
  if (origin !== undefined && !originAllowed(origin, c.req.url, publicUrl)) {
    throw new HttpError(403, 'Forbidden', `changes from origin ${origin.slice(0, 200)} are refused`);
  }
}

export function checkCsrfToken(c: Context<AppEnv>): void {
  const session = c.get('session');
  if (!session || isSafeMethod(c.req.method)) return;
  const sent = c.req.header(CSRF_HEADER);
  if (!sent || !sameSecret(sent, session.csrfToken)) {
    throw new HttpError(403, 'Forbidden', 'a change made with a session cookie needs its CSRF token in X-CSRF-Token');
  }
}
