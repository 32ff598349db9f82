// Who may act on a project, and as what (src/domain/access.ts). Owners manage members; a
// project always keeps at least one owner.
import { z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import { countOwners, listMembers } from '../../db/queries/memberships.js';
import { getUserByEmail } from '../../db/queries/users.js';
import { projectMembers, projects } from '../../db/schema/index.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, Id, json, Name } from '../schemas/common.js';
import { Member, MemberInput } from '../schemas/access.js';

const ProjectParam = z.object({ project: Name });

export function memberRoutes({ db }: AppDeps) {
  const app = newRouter();
  const projectId = async (name: string) => {
    const [p] = await db.select({ id: projects.id }).from(projects).where(eq(projects.name, name));
    if (!p) throw notFound(`project ${name}`);
    return p.id;
  };
  const present = (m: Awaited<ReturnType<typeof listMembers>>[number]) => ({ ...m, since: m.since.toISOString() });

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{project}/members',
      tags: ['access'],
      access: { need: 'read', on: 'param.project' },
      request: { params: ProjectParam },
      responses: { 200: json(z.object({ items: z.array(Member) }), 'Members'), ...errorResponses },
    }),
    async (c) => c.json({ items: (await listMembers(db, await projectId(c.req.valid('param').project))).map(present) }, 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/{project}/members',
      tags: ['access'],
      summary: 'Add a member, or change a member’s role',
      access: { need: 'own', on: 'param.project' },
      request: { params: ProjectParam, body: body(MemberInput) },
      responses: { 200: json(Member, 'The membership'), ...errorResponses },
    }),
    async (c) => {
      const id = await projectId(c.req.valid('param').project);
      const { email, role } = c.req.valid('json');
      const user = await getUserByEmail(db, email);
      if (!user) throw notFound(`user ${email}`);
      const [current] = await db.select().from(projectMembers).where(and(eq(projectMembers.projectId, id), eq(projectMembers.userId, user.id)));
      if (current?.role === 'owner' && role !== 'owner' && (await countOwners(db, id)) <= 1) throw conflict('a project keeps at least one owner');
      await db.insert(projectMembers).values({ projectId: id, userId: user.id, role }).onConflictDoUpdate({ target: [projectMembers.projectId, projectMembers.userId], set: { role } });
      const member = (await listMembers(db, id)).find((m) => m.userId === user.id);
      return c.json(present(member as NonNullable<typeof member>), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{project}/members/{userId}',
      tags: ['access'],
      access: { need: 'own', on: 'param.project' },
      request: { params: ProjectParam.extend({ userId: Id }) },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      const { project, userId } = c.req.valid('param');
      const id = await projectId(project);
      const [current] = await db.select().from(projectMembers).where(and(eq(projectMembers.projectId, id), eq(projectMembers.userId, userId)));
      if (!current) throw notFound('member');
      if (current.role === 'owner' && (await countOwners(db, id)) <= 1) throw conflict('a project keeps at least one owner');
      await db.delete(projectMembers).where(and(eq(projectMembers.projectId, id), eq(projectMembers.userId, userId)));
      return c.body(null, 204);
    },
  );

  return app;
}
