// First-time setup and signing in and out. Setup and sign-in are two of the few public
// operations; everything else here acts on the caller's own account.
import { z } from '@hono/zod-openapi';
import { and, desc, eq } from 'drizzle-orm';
import { deleteSession, endUserSessions, revokeUserTokens } from '../../db/queries/credentials.js';
import { countUsers, getUserById } from '../../db/queries/users.js';
import { sessions, users } from '../../db/schema/index.js';
import { hashPassword, verifyPassword } from '../../src/auth/password-hash.js';
import { defineRoute } from '../access/access-spec.js';
import { clearSessionCookies } from '../access/session-cookie.js';
import type { SignIn } from '../access/sign-in.js';
import type { AppDeps } from '../deps.js';
import { HttpError, invalid, notFound } from '../errors.js';
import { presentUser } from '../present-user.js';
import { newRouter } from '../router.js';
import { body, errorResponses, Id, json } from '../schemas/common.js';
import { LoginInput, PasswordChange, SessionInfo, SetupInput, SignedIn, WhoAmI } from '../schemas/access.js';

export function signInRoutes({ db, config }: AppDeps, signIn: SignIn) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/setup',
      tags: ['access'],
      summary: 'Whether Berth still needs its first administrator',
      access: { public: 'a new installation has no account to sign in with' },
      responses: { 200: json(z.object({ needed: z.boolean() }), 'Setup state') },
    }),
    async (c) => c.json({ needed: (await countUsers(db)) === 0 }, 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/setup',
      tags: ['access'],
      summary: 'Make the first administrator with the setup token Berth printed at start',
      access: { public: 'a new installation has no account to sign in with' },
      request: { body: body(SetupInput) },
      responses: { 201: json(SignedIn, 'The administrator, signed in'), 403: json(z.object({}), 'Wrong or expired setup token'), ...errorResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      c.set('auditActorName', input.email);
      return c.json(await signIn.startSession(c, await signIn.setUp(input)), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/auth/login',
      tags: ['access'],
      summary: 'Sign in: sets the session cookie',
      description: 'The same 401 for an unknown e-mail and a wrong password. Repeated failures are answered 429 for a growing time, per account and per address.',
      access: { public: 'signing in' },
      request: { body: body(LoginInput) },
      responses: { 200: json(SignedIn, 'Signed in'), ...errorResponses },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      // Whatever was typed as the e-mail is kept only if it looks like one (not a password typed in the wrong field).
      c.set('auditActorName', /^[^\s@]{1,64}@[^\s@]{1,190}$/.test(email) ? email.toLowerCase() : null);
      return c.json(await signIn.startSession(c, await signIn.authenticate(email, password, c.get('address'))), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/auth/logout',
      tags: ['access'],
      summary: 'End this session',
      access: { self: 'read' },
      responses: { 204: { description: 'Signed out' }, ...errorResponses },
    }),
    async (c) => {
      const session = c.get('session');
      if (!session) throw invalid('signed in with an API token: revoke it with DELETE /tokens/{id} instead');
      await deleteSession(db, session.id);
      clearSessionCookies(c, config);
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/auth/whoami',
      tags: ['access'],
      summary: 'Who the caller is, and how it signed in',
      access: { self: 'read' },
      responses: { 200: json(WhoAmI, 'The caller'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const user = p && (await getUserById(db, p.userId));
      if (!p || !user) throw new HttpError(401, 'Unauthorized', 'the account is gone');
      return c.json({ user: presentUser(user), via: p.via, scope: p.scope, tokenId: p.tokenId, projectRestriction: p.projectRestriction, csrfToken: c.get('session')?.csrfToken ?? null }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/auth/sessions',
      tags: ['access'],
      summary: "The caller's sessions",
      access: { self: 'read' },
      responses: { 200: json(z.object({ items: z.array(SessionInfo) }), 'Sessions, newest first'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const rows = await db.select().from(sessions).where(eq(sessions.userId, p?.userId ?? '')).orderBy(desc(sessions.createdAt));
      const current = c.get('session')?.id;
      return c.json(
        {
          items: rows.map((s) => ({
            id: s.id,
            current: s.id === current,
            address: s.address,
            userAgent: s.userAgent,
            createdAt: s.createdAt.toISOString(),
            lastSeenAt: s.lastSeenAt.toISOString(),
            expiresAt: s.expiresAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/auth/sessions',
      tags: ['access'],
      summary: 'Log out everywhere: end every session of the caller',
      access: { self: 'admin' },
      responses: { 200: json(z.object({ ended: z.number() }), 'Sessions ended'), ...errorResponses },
    }),
    async (c) => {
      const ended = await endUserSessions(db, c.get('principal')?.userId ?? '');
      if (c.get('session')) clearSessionCookies(c, config);
      return c.json({ ended }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/auth/sessions/{id}',
      tags: ['access'],
      summary: 'End one of the caller’s sessions',
      access: { self: 'admin' },
      request: { params: z.object({ id: Id }) },
      responses: { 204: { description: 'Ended' }, ...errorResponses },
    }),
    async (c) => {
      const gone = await db
        .delete(sessions)
        .where(and(eq(sessions.id, c.req.valid('param').id), eq(sessions.userId, c.get('principal')?.userId ?? '')))
        .returning({ id: sessions.id });
      if (gone.length === 0) throw notFound('session');
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/auth/password',
      tags: ['access'],
      summary: 'Change the caller’s password; its other sessions end (and its tokens, with revokeTokens)',
      access: { self: 'admin' },
      request: { body: body(PasswordChange) },
      responses: { 204: { description: 'Changed' }, ...errorResponses },
    }),
    async (c) => {
      const { currentPassword, newPassword, revokeTokens } = c.req.valid('json');
      const user = await getUserById(db, c.get('principal')?.userId ?? '');
      if (!user || !(await verifyPassword(currentPassword, user.passwordHash))) {
        throw invalid('the current password is wrong', [{ path: 'currentPassword', message: 'wrong' }]);
      }
      await db.update(users).set({ passwordHash: await hashPassword(newPassword), updatedAt: new Date() }).where(eq(users.id, user.id));
      const keep = c.get('session')?.id;
      const others = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.id));
      for (const s of others) if (s.id !== keep) await deleteSession(db, s.id);
      if (revokeTokens) await revokeUserTokens(db, user.id);
      return c.body(null, 204);
    },
  );

  return app;
}
