import { createRoute, z } from '@hono/zod-openapi';
import { eq, sql } from 'drizzle-orm';
import { getAppByName, listApps, type AppRow } from '../../db/queries/apps.js';
import { apps, appStacks, projects } from '../../db/schema/index.js';
import { newId } from '../../src/ids.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { assertComposeShape } from '../stack-compose.js';
import { App, AppInput, AppPatch } from '../schemas/apps.js';
import { body, errorResponses, json, Name } from '../schemas/common.js';

export const AppParam = z.object({ app: Name });

export function presentApp(a: AppRow) {
  return {
    id: a.id,
    project: a.projectName,
    name: a.name,
    kind: a.kind,
    image: a.image,
    port: a.port,
    command: a.command ?? null,
    args: a.args ?? null,
    healthCheck: a.healthCheck,
    resources: a.resources,
    replicas: a.replicas,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function appRoutes({ db, config }: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['apps'],
      request: { body: body(AppInput) },
      responses: { 201: json(App, 'Created'), ...errorResponses },
    }),
    async (c) => {
      const { project, compose, ...input } = c.req.valid('json');
      const [owner] = await db.select().from(projects).where(eq(projects.name, project));
      if (!owner) throw notFound(`project ${project}`);
      if (compose !== undefined) assertComposeShape(config, compose);
      const row = await db.transaction(async (tx) => {
        const [inserted] = await tx
          .insert(apps)
          .values({ id: newId('app'), projectId: owner.id, ...input, image: input.image ?? null })
          .onConflictDoNothing()
          .returning();
        if (inserted && compose !== undefined) await tx.insert(appStacks).values({ appId: inserted.id, compose });
        return inserted;
      });
      if (!row) throw conflict(`an app named ${input.name} already exists`);
      return c.json(presentApp({ ...row, projectName: owner.name }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['apps'],
      request: { query: z.object({ project: Name.optional() }) },
      responses: { 200: json(z.object({ items: z.array(App) }), 'Apps'), ...errorResponses },
    }),
    async (c) => {
      const { project } = c.req.valid('query');
      let projectId: string | undefined;
      if (project) {
        const [p] = await db.select().from(projects).where(eq(projects.name, project));
        if (!p) throw notFound(`project ${project}`);
        projectId = p.id;
      }
      return c.json({ items: (await listApps(db, projectId)).map(presentApp) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{app}',
      tags: ['apps'],
      request: { params: AppParam },
      responses: { 200: json(App, 'The app'), ...errorResponses },
    }),
    async (c) => {
      const row = await getAppByName(db, c.req.valid('param').app);
      if (!row) throw notFound('app');
      return c.json(presentApp(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{app}',
      tags: ['apps'],
      description: 'Changes apply to the next deployment; releases already made keep their settings.',
      request: { params: AppParam, body: body(AppPatch) },
      responses: { 200: json(App, 'Updated'), ...errorResponses },
    }),
    async (c) => {
      const existing = await getAppByName(db, c.req.valid('param').app);
      if (!existing) throw notFound('app');
      const patch = c.req.valid('json');
      if (Object.keys(patch).length > 0) {
        await db.update(apps).set({ ...patch, updatedAt: sql`now()` }).where(eq(apps.id, existing.id));
      }
      return c.json(presentApp((await getAppByName(db, existing.name)) as AppRow), 200);
    },
  );

  return app;
}
