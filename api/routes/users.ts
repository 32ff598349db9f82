// Accounts, managed by instance administrators. Disabling a user ends its sessions at once and
// makes its tokens stop working; the last active administrator cannot be demoted or disabled.
import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { endUserSessions, revokeUserTokens } from '../../db/queries/credentials.js';
import { countActiveAdmins, getUserById, insertUser, listUsers } from '../../db/queries/users.js';
import { users } from '../../db/schema/index.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { newId } from '../../src/ids.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { presentUser } from '../present-user.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { User, UserInput, UserParam, UserPatch } from '../schemas/access.js';

export function userRoutes({ db }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/',
      tags: ['access'],
      summary: 'Every account',
      access: { instance: 'read' },
      responses: { 200: json(z.object({ items: z.array(User) }), 'Users'), ...errorResponses },
    }),
    async (c) => c.json({ items: (await listUsers(db)).map(presentUser) }, 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/',
      tags: ['access'],
      summary: 'Make an account',
      access: { instance: 'admin' },
      request: { body: body(UserInput) },
      responses: { 201: json(User, 'Created'), ...errorResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const row = await insertUser(db, { id: newId('usr'), email: input.email, name: input.name, isAdmin: input.isAdmin, passwordHash: await hashPassword(input.password) });
      if (!row) throw conflict(`an account for ${input.email} already exists`);
      return c.json(presentUser(row), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{id}',
      tags: ['access'],
      access: { instance: 'read' },
      request: { params: UserParam },
      responses: { 200: json(User, 'The user'), ...errorResponses },
    }),
    async (c) => {
      const row = await getUserById(db, c.req.valid('param').id);
      if (!row) throw notFound('user');
      return c.json(presentUser(row), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/{id}',
      tags: ['access'],
      summary: 'Rename, promote, demote, disable, enable, or set a new password',
      description: 'Disabling ends the user’s sessions and stops its tokens; a new password ends its sessions and revokes its tokens.',
      access: { instance: 'admin' },
      request: { params: UserParam, body: body(UserPatch) },
      responses: { 200: json(User, 'Updated'), ...errorResponses },
    }),
    async (c) => {
      const existing = await getUserById(db, c.req.valid('param').id);
      if (!existing) throw notFound('user');
      const patch = c.req.valid('json');
      const losesAdmin = existing.isAdmin && !existing.disabledAt && (patch.isAdmin === false || patch.disabled === true);
      if (losesAdmin && (await countActiveAdmins(db)) <= 1) throw conflict('this is the last active administrator: promote another one first');
      const [row] = await db
        .update(users)
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.isAdmin !== undefined ? { isAdmin: patch.isAdmin } : {}),
          ...(patch.disabled !== undefined ? { disabledAt: patch.disabled ? (existing.disabledAt ?? new Date()) : null } : {}),
          ...(patch.password !== undefined ? { passwordHash: await hashPassword(patch.password) } : {}),
          updatedAt: new Date(),
        })
        .where(eq(users.id, existing.id))
        .returning();
      if (patch.disabled || patch.password !== undefined) await endUserSessions(db, existing.id);
      // An administrator resets a password when it may have leaked: the tokens go too.
      if (patch.password !== undefined) await revokeUserTokens(db, existing.id);
      return c.json(presentUser(row ?? existing), 200);
    },
  );

  return app;
}
