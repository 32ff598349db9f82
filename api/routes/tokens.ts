// API tokens of the caller: made here and shown once, listed without their secret, revoked.
// A token never makes a token that could do more than itself: its scope and project
// restriction bound the new one's. Instance administrators may revoke anyone's token.
import { z } from '@hono/zod-openapi';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { apiTokens, projects } from '../../db/schema/index.js';
import { hashSecretToken, newSecretToken, tokenDisplayPrefix } from '../../src/auth/secret-tokens.js';
import { scopeAllows, TOKEN_SCOPES, type Principal, type TokenScope } from '../../src/domain/access.js';
import { newId } from '../../src/ids.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { forbidden, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, Id, json } from '../schemas/common.js';
import { NewToken, Token, TokenInput } from '../schemas/access.js';

type TokenRow = typeof apiTokens.$inferSelect;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function presentToken(t: TokenRow, projectName: string | null) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    project: projectName,
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
    createdAt: t.createdAt.toISOString(),
  };
}

function assertWithinCaller(caller: Principal, scopes: TokenScope[], projectId: string | null): void {
  const over = scopes.find((s) => !scopeAllows(caller.scope, s));
  if (over) throw forbidden(`a token of scope ${caller.scope} cannot make a token of scope ${over}`);
  if (caller.projectRestriction !== null && projectId !== caller.projectRestriction) {
    throw forbidden('a token restricted to a project can only make tokens restricted to the same project');
  }
}

export function tokenRoutes({ db }: AppDeps) {
  const app = newRouter();
  const withProject = { token: apiTokens, projectName: projects.name };

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/',
      tags: ['access'],
      summary: "The caller's API tokens (never their values)",
      access: { self: 'read' },
      responses: { 200: json(z.object({ items: z.array(Token) }), 'Tokens, newest first'), ...errorResponses },
    }),
    async (c) => {
      const rows = await db
        .select(withProject)
        .from(apiTokens)
        .leftJoin(projects, eq(projects.id, apiTokens.projectId))
        .where(eq(apiTokens.userId, c.get('principal')?.userId ?? ''))
        .orderBy(desc(apiTokens.createdAt));
      return c.json({ items: rows.map((r) => presentToken(r.token, r.projectName)) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/',
      tags: ['access'],
      summary: 'Make an API token (its value is shown once)',
      description: 'Use it as `Authorization: Bearer <token>`. Scopes: read (look), deploy (also deploy, roll back, cancel), admin (everything its user may do).',
      access: { self: 'admin' },
      request: { body: body(TokenInput) },
      responses: { 201: json(NewToken, 'Created'), ...errorResponses },
    }),
    async (c) => {
      const caller = c.get('principal') as Principal;
      const input = c.req.valid('json');
      let projectId: string | null = null;
      if (input.project) {
        const [p] = await db.select({ id: projects.id }).from(projects).where(eq(projects.name, input.project));
        // A project the caller cannot read is answered as one that does not exist.
        const visible = await c.get('gate').visibleProjects(c);
        if (!p || (visible !== null && !visible.includes(p.id))) throw notFound(`project ${input.project}`);
        projectId = p.id;
      }
      const scopes = TOKEN_SCOPES.filter((s) => input.scopes.includes(s));
      assertWithinCaller(caller, scopes, projectId);
      // A token made with a token never outlives it.
      const parent = caller.tokenId ? (await db.select({ expiresAt: apiTokens.expiresAt }).from(apiTokens).where(eq(apiTokens.id, caller.tokenId)))[0] : undefined;
      const asked = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
      const expiresAt = parent?.expiresAt && (!asked || asked > parent.expiresAt) ? parent.expiresAt : asked;
      const token = newSecretToken('api');
      const [row] = await db
        .insert(apiTokens)
        .values({
          id: newId('tok'),
          userId: caller.userId,
          name: input.name,
          prefix: tokenDisplayPrefix(token),
          tokenHash: hashSecretToken(token),
          scopes,
          projectId,
          expiresAt,
        })
        .returning();
      return c.json({ ...presentToken(row as TokenRow, input.project ?? null), token }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{id}',
      tags: ['access'],
      summary: 'Revoke an API token (at once)',
      access: { self: 'admin' },
      request: { params: z.object({ id: Id }) },
      responses: { 204: { description: 'Revoked' }, ...errorResponses },
    }),
    async (c) => {
      const caller = c.get('principal') as Principal;
      const own = caller.isAdmin && caller.projectRestriction === null ? [] : [eq(apiTokens.userId, caller.userId)];
      const gone = await db
        .update(apiTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiTokens.id, c.req.valid('param').id), isNull(apiTokens.revokedAt), ...own))
        .returning({ id: apiTokens.id });
      if (gone.length === 0) throw notFound('token (or already revoked)');
      return c.body(null, 204);
    },
  );

  return app;
}
