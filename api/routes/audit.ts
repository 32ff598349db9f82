// The audit log, newest first: all of it for instance administrators, a project's part for
// the project's admins and owners. Filters by actor, action prefix, outcome and time.
import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { listAudit, type AuditRow } from '../../db/queries/audit.js';
import { projects } from '../../db/schema/index.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { errorResponses, json, Name } from '../schemas/common.js';
import { AuditEvent, AuditFilter } from '../schemas/access.js';

const Page = z.object({ items: z.array(AuditEvent), nextCursor: z.number().nullable() });
const present = (r: AuditRow) => ({ ...r, at: r.at.toISOString() });

export function auditRoutes({ db }: AppDeps) {
  const app = newRouter();
  const page = async (projectIds: string[] | null, q: z.infer<typeof AuditFilter>) => {
    const rows = await listAudit(db, {
      projectIds,
      actorKind: q.actorKind,
      actor: q.actor,
      action: q.action,
      outcome: q.outcome,
      since: q.since ? new Date(q.since) : undefined,
      until: q.until ? new Date(q.until) : undefined,
      before: q.cursor,
      limit: q.limit,
    });
    return { items: rows.map(present), nextCursor: rows.length === q.limit ? (rows.at(-1)?.id ?? null) : null };
  };

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/audit',
      tags: ['access'],
      summary: 'The audit log: every change and deployment trigger',
      access: { instance: 'read' },
      request: { query: AuditFilter },
      responses: { 200: json(Page, 'Events, newest first'), ...errorResponses },
    }),
    async (c) => c.json(await page(null, c.req.valid('query')), 200),
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{project}/audit',
      tags: ['access'],
      summary: "A project's part of the audit log",
      access: { need: 'manage', on: 'param.project' },
      request: { params: z.object({ project: Name }), query: AuditFilter },
      responses: { 200: json(Page, 'Events, newest first'), ...errorResponses },
    }),
    async (c) => {
      const [p] = await db.select({ id: projects.id }).from(projects).where(eq(projects.name, c.req.valid('param').project));
      if (!p) throw notFound('project');
      return c.json(await page([p.id], c.req.valid('query')), 200);
    },
  );

  return app;
}
