import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import { asc, eq, inArray } from 'drizzle-orm';
import { apps, projectMembers, projects } from '../../db/schema/index.js';
import type { Principal } from '../../src/domain/access.js';
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
    defineRoute({
      method: 'post',
      path: '/',
      access: { instance: 'admin' },
      tags: ['projects'],
      request: { body: body(ProjectInput) },
      responses: { 201: json(Project, 'Created'), ...errorResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const row = await db.transaction(async (tx) => {
        const [made] = await tx.insert(projects).values({ id: newId('prj'), ...input }).onConflictDoNothing().returning();
        // Its maker owns it: the project keeps an owner even if the maker stops being an administrator.
        if (made) await tx.insert(projectMembers).values({ projectId: made.id, userId: (c.get('principal') as Principal).userId, role: 'owner' });
        return made;
      });
      if (!row) throw conflict(`project ${input.name} already exists`);
      c.set('projectId', row.id);
      return c.json(present(row), 201);
    },
  );

  app.openapi(
    defineRoute({ method: 'get', path: '/', access: { list: 'read' }, tags: ['projects'], responses: { 200: json(z.object({ items: z.array(Project) }), 'All projects') } }),
    async (c) => {
      const visible = await c.get('gate').visibleProjects(c);
      const rows = visible === null || visible.length ? await db.select().from(projects).where(visible ? inArray(projects.id, visible) : undefined).orderBy(asc(projects.name)) : [];
      return c.json({ items: rows.map(present) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{project}',
      access: { need: 'read', on: 'param.project' },
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
    defineRoute({
      method: 'delete',
      path: '/{project}',
      access: { need: 'own', on: 'param.project' },
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
