// The session cookie: opaque, HttpOnly, SameSite=Lax. When Berth's public URL is https it is
// Secure and named with the __Host- prefix, which browsers accept only from this exact host:
// an app served on a neighbouring subdomain (a fork's preview, say) cannot plant one. A second,
// readable cookie carries the CSRF token for the web UI's scripts.
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Config } from '../../src/config.js';

export const CSRF_HEADER = 'x-csrf-token';

export interface CookieNames {
  session: string;
  csrf: string;
  secure: boolean;
}

export function cookieNames(publicUrl: string): CookieNames {
  const secure = publicUrl.startsWith('https:');
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}berth_session`, csrf: `${prefix}berth_csrf`, secure };
}

export function setSessionCookies(c: Context, config: Config, token: string, csrfToken: string, maxAgeSeconds: number): void {
  const names = cookieNames(config.api.publicUrl);
  setCookie(c, names.session, token, { httpOnly: true, sameSite: 'Lax', secure: names.secure, path: '/', maxAge: maxAgeSeconds });
  setCookie(c, names.csrf, csrfToken, { httpOnly: false, sameSite: 'Lax', secure: names.secure, path: '/', maxAge: maxAgeSeconds });
}

export function clearSessionCookies(c: Context, config: Config): void {
  const names = cookieNames(config.api.publicUrl);
  deleteCookie(c, names.session, { path: '/', secure: names.secure });
  deleteCookie(c, names.csrf, { path: '/', secure: names.secure });
}
