// Reads the caller's credentials once per request (Authorization: Bearer, or the session
// cookie) and leaves the result in the context; the access gate decides what it may do.
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv, Authenticator } from '../deps.js';
import type { AccessGate } from './access-gate.js';

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

export function authenticate(authenticator: Authenticator, gate: AccessGate, sessionCookie: string): MiddlewareHandler<AppEnv> {
  return async function authenticateMiddleware(c, next) {
    c.set('gate', gate);
    c.set('projectId', null);
    const header = c.req.header('authorization');
    const bearer = header === undefined ? null : (BEARER.exec(header)?.[1] ?? '');
    const identified = await authenticator.identify({ bearer, session: bearer === null ? (getCookie(c, sessionCookie) ?? null) : null });
    c.set('principal', identified.kind === 'principal' ? identified.principal : null);
    c.set('session', identified.kind === 'principal' ? identified.session : null);
    c.set('credentialProblem', identified.kind === 'invalid' ? identified.reason : null);
    await next();
  };
}
