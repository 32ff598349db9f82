// Gives every request an id (or keeps a sane one the client sent), echoes it in X-Request-Id,
// and a child logger carrying it.
import type { MiddlewareHandler } from 'hono';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../src/logger.js';
import type { AppEnv } from '../deps.js';

const CLIENT_ID = /^[A-Za-z0-9._-]{8,64}$/;

export function requestId(log: Logger): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const given = c.req.header('x-request-id');
    const id = given && CLIENT_ID.test(given) ? given : randomUUID();
    c.set('requestId', id);
    c.set('log', log.child({ requestId: id }));
    c.header('X-Request-Id', id);
    const started = performance.now();
    await next();
    c.get('log').debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  };
}
