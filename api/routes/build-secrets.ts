// Build secrets of an app of kind git: written here, sealed at once, mounted by BuildKit for
// the build only. They are never read back: the API lists names and when they changed.
import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import { and, asc, eq, sql } from 'drizzle-orm';
import { buildSecrets } from '../../db/schema/index.js';
import { buildSecretContext } from '../../src/domain/git-build.js';
import type { AppDeps } from '../deps.js';
import { invalid, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { SecretName, SecretValue } from '../schemas/git-sources.js';
import { AppParam, findApp } from './apps.js';

const SecretParam = AppParam.extend({ name: SecretName });
const Listed = z.object({ items: z.array(z.object({ name: z.string(), updatedAt: z.string() })) });

export function buildSecretRoutes({ db, secretBox }: AppDeps) {
  const app = newRouter();

  const gitApp = async (name: string) => {
    const a = await findApp(db, name);
    if (a.kind !== 'git') throw invalid(`app ${a.name} is of kind ${a.kind}: only apps built from source have build secrets`);
    return a;
  };

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/build-secrets',
      access: { need: 'read', on: 'param.app' },
      tags: ['apps'],
      summary: 'Names of the build secrets (values are never returned)',
      request: { params: AppParam },
      responses: { 200: json(Listed, 'Build secrets'), ...errorResponses },
    }),
    async (c) => {
      const a = await gitApp(c.req.valid('param').app);
      const rows = await db.select({ name: buildSecrets.name, updatedAt: buildSecrets.updatedAt }).from(buildSecrets).where(eq(buildSecrets.appId, a.id)).orderBy(asc(buildSecrets.name));
      return c.json({ items: rows.map((r) => ({ name: r.name, updatedAt: r.updatedAt.toISOString() })) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/{app}/build-secrets/{name}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['apps'],
      summary: 'Set a build secret',
      description: 'Mounted in the build as /run/secrets/<name> (RUN --mount=type=secret,id=<name>); never in an image layer or a log.',
      request: { params: SecretParam, body: body(SecretValue) },
      responses: { 204: { description: 'Stored, sealed' }, ...errorResponses },
    }),
    async (c) => {
      const { app: appName, name } = c.req.valid('param');
      const a = await gitApp(appName);
      const sealed = secretBox.seal(c.req.valid('json').value, buildSecretContext(a.id, name));
      await db
        .insert(buildSecrets)
        .values({ appId: a.id, name, valueSealed: sealed })
        .onConflictDoUpdate({ target: [buildSecrets.appId, buildSecrets.name], set: { valueSealed: sealed, updatedAt: sql`now()` } });
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{app}/build-secrets/{name}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['apps'],
      request: { params: SecretParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      const { app: appName, name } = c.req.valid('param');
      const a = await gitApp(appName);
      const gone = await db.delete(buildSecrets).where(and(eq(buildSecrets.appId, a.id), eq(buildSecrets.name, name))).returning();
      if (gone.length === 0) throw notFound(`build secret ${name}`);
      return c.body(null, 204);
    },
  );

  return app;
}
