// The caller's address, for throttling sign-ins and the audit log: the socket's, or, when the
// socket is a trusted proxy (BERTH_TRUSTED_PROXIES), the nearest untrusted address in
// X-Forwarded-For. Nothing else in a request can choose it.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.js';

const normalise = (address: string) => address.replace(/^::ffff:/, '');

export function forwardedAddress(socket: string, forwardedFor: string | undefined, trusted: Set<string>): string {
  if (!trusted.has(socket) || !forwardedFor) return socket;
  const hops = forwardedFor.split(',').map((h) => normalise(h.trim())).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted.has(hop)) return hop;
  }
  return socket;
}

export function clientAddress(trustedProxies: string[]): MiddlewareHandler<AppEnv> {
  const trusted = new Set(trustedProxies.map(normalise));
  return async function clientAddressMiddleware(c, next) {
    let socket: string | null = null;
    try {
      socket = getConnInfo(c).remote.address ?? null;
    } catch {
      // app.request() in tests has no socket.
    }
    c.set('address', socket === null ? null : forwardedAddress(normalise(socket), c.req.header('x-forwarded-for'), trusted));
    await next();
  };
}
