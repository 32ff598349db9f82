// The session cookie: opaque, HttpOnly, SameSite=Lax, Secure whenever Berth's public URL is
// https. A second, readable cookie carries the CSRF token for the web UI's scripts.
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Config } from '../../src/config.js';

export const SESSION_COOKIE = 'berth_session';
export const CSRF_COOKIE = 'berth_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function setSessionCookies(c: Context, config: Config, token: string, csrfToken: string, maxAgeSeconds: number): void {
  const secure = config.api.publicUrl.startsWith('https:');
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', secure, path: '/', maxAge: maxAgeSeconds });
  setCookie(c, CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: 'Lax', secure, path: '/', maxAge: maxAgeSeconds });
}

export function clearSessionCookies(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  deleteCookie(c, CSRF_COOKIE, { path: '/' });
}
