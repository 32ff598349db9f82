// Signing in and the first administrator. A sign-in that names no usable account spends the
// same work and gets the same answer as a wrong password; failures slow further attempts per
// account and per address (src/auth/login-throttle.ts); a success starts a server-side session.
import type { Context } from 'hono';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { insertSession, type UserRow } from '../../db/queries/credentials.js';
import { claimAttempt, clearThrottle, forgiveAttempt } from '../../db/queries/login-throttles.js';
import { clearSetupTokens, liveSetupTokenHashes } from '../../db/queries/setup-tokens.js';
import { countUsers, getUserByEmail, insertUser } from '../../db/queries/users.js';
import { blockAfter, FORGET_AFTER_MS, throttleKey, type ThrottleKind } from '../../src/auth/login-throttle.js';
import { hashPassword, verifyNoPassword, verifyPassword } from '../../src/auth/password-hash.js';
import { hashSecretToken, newSecretToken, sameSecret } from '../../src/auth/secret-tokens.js';
import type { Config } from '../../src/config.js';
import { newId } from '../../src/ids.js';
import type { AppEnv } from '../deps.js';
import { conflict, forbidden, HttpError } from '../errors.js';
import { presentUser } from '../present-user.js';
import { setSessionCookies } from './session-cookie.js';

const WRONG = 'e-mail or password is wrong';
/** Serialises first-time setup across API processes (any constant shared by them). */
const SETUP_LOCK = 0x62657274;


export function createSignIn(db: Db, config: Config) {
  const keysOf = (email: string, address: string | null): [ThrottleKind, string][] => [
    ['account', throttleKey('account', email)],
    ...(address ? ([['address', throttleKey('address', address)]] as [ThrottleKind, string][]) : []),
  ];

  /** Counts the attempt on every key first (src/auth/login-throttle.ts); refuses while any is blocked. */
  async function claim(keys: [ThrottleKind, string][]): Promise<void> {
    for (const [kind, key] of keys) {
      const blockedFor = await claimAttempt(db, key, { blockAfter: (n) => blockAfter(kind, n), forgetAfterMs: FORGET_AFTER_MS });
      const wait = Math.ceil(blockedFor / 1000);
      if (wait > 0) throw new HttpError(429, 'TooManyRequests', `too many failed sign-ins: try again in ${wait} s`, undefined, wait);
    }
  }

  return {
    /** The account, or a 401 that is the same whatever was wrong (or a 429 while throttled). */
    async authenticate(email: string, password: string, address: string | null): Promise<UserRow> {
      const keys = keysOf(email, address);
      await claim(keys);
      const user = await getUserByEmail(db, email);
      const ok = user && !user.disabledAt ? await verifyPassword(password, user.passwordHash) : await verifyNoPassword(password);
      if (!ok || !user) throw new HttpError(401, 'Unauthorized', WRONG);
      await clearThrottle(db, throttleKey('account', email));
      if (address) await forgiveAttempt(db, throttleKey('address', address));
      return user;
    },

    /** A new session for the user: its cookies set, the caller known to the audit log, and the answer's body. */
    async startSession(c: Context<AppEnv>, user: UserRow) {
      const token = newSecretToken('session');
      const csrfToken = newSecretToken('csrf');
      const expiresAt = new Date(Date.now() + config.sessions.maxHours * 3600_000);
      await insertSession(db, {
        id: newId('ses'),
        tokenHash: hashSecretToken(token),
        userId: user.id,
        csrfToken,
        address: c.get('address'),
        userAgent: (c.req.header('user-agent') ?? '').slice(0, 300) || null,
        expiresAt,
      });
      setSessionCookies(c, config, token, csrfToken, config.sessions.maxHours * 3600);
      c.set('principal', { userId: user.id, email: user.email, isAdmin: user.isAdmin, via: 'session', tokenId: null, scope: 'admin', projectRestriction: null });
      return { user: presentUser(user), csrfToken, expiresAt: expiresAt.toISOString() };
    },

    /** Makes the first administrator with a setup token; refused once any user exists. */
    async setUp(input: { setupToken: string; email: string; name: string; password: string }): Promise<UserRow> {
      // Checked before the costly hash, so setup cannot be used to keep the hasher busy.
      await assertSetupOpen(db, input.setupToken);
      const passwordHash = await hashPassword(input.password);
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK})`);
        await assertSetupOpen(tx, input.setupToken);
        const user = await insertUser(tx, { id: newId('usr'), email: input.email, name: input.name, passwordHash, isAdmin: true });
        await clearSetupTokens(tx);
        return user as UserRow;
      });
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;

async function assertSetupOpen(db: Db, setupToken: string): Promise<void> {
  if ((await countUsers(db)) > 0) throw conflict('Berth is already set up: sign in, or ask an administrator for an account');
  const sent = hashSecretToken(setupToken);
  if (!(await liveSetupTokenHashes(db)).some((h) => sameSecret(h, sent))) throw forbidden('the setup token is wrong or has expired: restart Berth for a new one');
}

