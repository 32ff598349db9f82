// DNS rebinding: a page on a name its owner points at 127.0.0.1 could otherwise talk to a Berth
// listening there. Requests must name one of Berth's own hosts: its public URL's, loopback
// names, and BERTH_ALLOWED_HOSTS. The port is not compared (proxies may change it).
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.js';
import { errorBody } from '../errors.js';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** "example.com:7480" → "example.com"; "[::1]:7480" → "[::1]". */
export function hostName(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.replace(/:\d*$/, '').replace(/\.$/, '');
}

export function allowedHosts(publicUrl: string, extra: string[]): Set<string> {
  return new Set([hostName(new URL(publicUrl).host), ...LOOPBACK, ...extra.map(hostName)]);
}

export function hostCheck(allowed: Set<string>): MiddlewareHandler<AppEnv> {
  return async function hostCheckMiddleware(c, next) {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!allowed.has(hostName(host))) {
      return c.json(errorBody('Forbidden', `host ${hostName(host).slice(0, 253)} is not one this Berth answers to (BERTH_PUBLIC_URL, BERTH_ALLOWED_HOSTS)`, c.get('requestId')), 421);
    }
    await next();
  };
}
