import { createRoute, z } from '@hono/zod-openapi';
import { asc, eq } from 'drizzle-orm';
import { apps, projects } from '../../db/schema/index.js';
import { newId } from '../../src/ids.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json, Name } from '../schemas/common.js';
import { Project, ProjectInput } from '../schemas/projects.js';

const present = (p: typeof projects.$inferSelect) => ({ ...p, createdAt: p.createdAt.toISOString() });
const ProjectParam = z.object({ project: Name });

export function projectRoutes({ db }: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['projects'],
      request: { body: body(ProjectInput) },
      responses: { 201: json(Project, 'Created'), ...errorResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const [row] = await db.insert(projects).values({ id: newId('prj'), ...input }).onConflictDoNothing().returning();
      if (!row) throw conflict(`project ${input.name} already exists`);
      return c.json(present(row), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/', tags: ['projects'], responses: { 200: json(z.object({ items: z.array(Project) }), 'All projects') } }),
    async (c) => c.json({ items: (await db.select().from(projects).orderBy(asc(projects.name))).map(present) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{project}',
      tags: ['projects'],
      request: { params: ProjectParam },
      responses: { 200: json(Project, 'The project'), ...errorResponses },
    }),
    async (c) => {
      const [row] = await db.select().from(projects).where(eq(projects.name, c.req.valid('param').project));
      if (!row) throw notFound('project');
      return c.json(present(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{project}',
      tags: ['projects'],
      request: { params: ProjectParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses },
    }),
    async (c) => {
      const [row] = await db.select().from(projects).where(eq(projects.name, c.req.valid('param').project));
      if (!row) throw notFound('project');
      const [anyApp] = await db.select({ id: apps.id }).from(apps).where(eq(apps.projectId, row.id)).limit(1);
      if (anyApp) throw conflict('the project still has apps');
      await db.delete(projects).where(eq(projects.id, row.id));
      return c.body(null, 204);
    },
  );

  return app;
}
