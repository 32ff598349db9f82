// The database-backed Authenticator: a Bearer API token or the session cookie, each looked up
// by the SHA-256 of its secret together with its user. Expired, revoked or disabled → invalid.
import type { Db } from '../../db/client.js';
import { deleteSession, findApiTokenByHash, findSessionByHash, needsTouch, touchApiToken, touchSession } from '../../db/queries/credentials.js';
import type { Config } from '../../src/config.js';
import { TOKEN_SCOPES, type TokenScope } from '../../src/domain/access.js';
import { hashSecretToken, isSecretToken } from '../../src/auth/secret-tokens.js';
import type { Logger } from '../../src/logger.js';
import type { Authenticator, Identified } from '../deps.js';

const strongest = (scopes: TokenScope[]): TokenScope =>
  TOKEN_SCOPES[Math.max(0, ...scopes.map((s) => TOKEN_SCOPES.indexOf(s)))] as TokenScope;

export function createAuthenticator(db: Db, sessionsConfig: Config['sessions'], log: Logger): Authenticator {
  const touch = (work: Promise<void>) => void work.catch((err: unknown) => log.warn({ err }, 'could not record credential use'));

  async function byToken(token: string): Promise<Identified> {
    if (!isSecretToken('api', token)) return { kind: 'invalid', reason: 'not a Berth API token' };
    const found = await findApiTokenByHash(db, hashSecretToken(token));
    if (!found) return { kind: 'invalid', reason: 'unknown API token' };
    const { token: row, user } = found;
    const now = Date.now();
    if (row.revokedAt) return { kind: 'invalid', reason: 'this API token was revoked' };
    if (row.expiresAt && row.expiresAt.getTime() <= now) return { kind: 'invalid', reason: 'this API token has expired' };
    if (user.disabledAt) return { kind: 'invalid', reason: 'the account is disabled' };
    if (needsTouch(row.lastUsedAt, now)) touch(touchApiToken(db, row.id));
    return {
      kind: 'principal',
      session: null,
      principal: { userId: user.id, email: user.email, isAdmin: user.isAdmin, via: 'token', tokenId: row.id, scope: strongest(row.scopes), projectRestriction: row.projectId },
    };
  }

  async function bySession(cookie: string): Promise<Identified> {
    if (!isSecretToken('session', cookie)) return { kind: 'invalid', reason: 'not a Berth session' };
    const found = await findSessionByHash(db, hashSecretToken(cookie));
    if (!found) return { kind: 'invalid', reason: 'the session has ended' };
    const { session, user } = found;
    const now = Date.now();
    const idleUntil = session.lastSeenAt.getTime() + sessionsConfig.idleMinutes * 60_000;
    if (session.expiresAt.getTime() <= now || idleUntil <= now) {
      touch(deleteSession(db, session.id));
      return { kind: 'invalid', reason: 'the session has expired' };
    }
    if (user.disabledAt) return { kind: 'invalid', reason: 'the account is disabled' };
    if (needsTouch(session.lastSeenAt, now)) touch(touchSession(db, session.id));
    return {
      kind: 'principal',
      session: { id: session.id, csrfToken: session.csrfToken },
      principal: { userId: user.id, email: user.email, isAdmin: user.isAdmin, via: 'session', tokenId: null, scope: 'admin', projectRestriction: null },
    };
  }

  return {
    async identify({ bearer, session }) {
      if (bearer !== null) return byToken(bearer);
      if (session !== null) return bySession(session);
      return { kind: 'anonymous' };
    },
  };
}
