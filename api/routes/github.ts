// What Berth knows from GitHub: installations, their repositories, and every webhook delivery
// with what it did (outcome, the rule that matched, the deployment it started).
import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import { asc, eq } from 'drizzle-orm';
import { getDelivery, listDeliveries, type DeliveryRow } from '../../db/queries/deliveries.js';
import { githubInstallations, githubRepositories } from '../../db/schema/index.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { errorResponses, json } from '../schemas/common.js';
import { Delivery, DeliveryFilter, Installation, Repository } from '../schemas/github.js';
import type { WebhookCounters } from '../webhooks/counters.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function presentDelivery(d: Omit<DeliveryRow, 'payload'>) {
  return {
    id: d.id,
    gitHostId: d.gitHostId,
    event: d.event,
    action: d.action,
    repository: d.repository,
    ref: d.ref,
    sha: d.sha,
    receivedAt: d.receivedAt.toISOString(),
    dispatchedAt: iso(d.dispatchedAt),
    processedAt: iso(d.processedAt),
    outcome: d.outcome,
    message: d.message,
    results: d.results,
  };
}

export function githubRoutes({ db, dispatcher }: AppDeps, counters: WebhookCounters) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/deliveries',
      access: { instance: 'read' },
      tags: ['github'],
      summary: 'Webhook deliveries, newest first',
      description: 'Why a push did or did not deploy: the outcome, each app’s verdict, the rule that matched and the deployment started.',
      request: { query: DeliveryFilter },
      responses: { 200: json(z.object({ items: z.array(Delivery), nextCursor: z.string().nullable() }), 'Deliveries'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await listDeliveries(db, { ...q, before: q.before ? new Date(q.before) : undefined });
      const last = rows[rows.length - 1];
      return c.json({ items: rows.map(presentDelivery), nextCursor: rows.length === q.limit && last ? last.receivedAt.toISOString() : null }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/deliveries/{id}',
      access: { instance: 'read' },
      tags: ['github'],
      request: { params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a delivery id') }) },
      responses: { 200: json(Delivery, 'The delivery'), ...errorResponses },
    }),
    async (c) => {
      const row = await getDelivery(db, c.req.valid('param').id);
      if (!row) throw notFound('delivery');
      return c.json(presentDelivery(row), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/webhook-stats',
      access: { instance: 'read' },
      tags: ['github'],
      summary: "This API process's webhook counters",
      description: 'Rejected requests are only counted: nothing else is kept of them.',
      responses: {
        200: json(
          z.object({
            accepted: z.number(),
            duplicates: z.number(),
            ignored: z.number(),
            rejectedSignature: z.number(),
            rejectedSize: z.number(),
            rejectedMalformed: z.number(),
            undispatched: z.number(),
          }),
          'Counters',
        ),
      },
    }),
    (c) => c.json({ ...counters, undispatched: dispatcher?.pending() ?? 0 }, 200),
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/installations',
      access: { instance: 'read' },
      tags: ['github'],
      responses: { 200: json(z.object({ items: z.array(Installation) }), 'Installations'), ...errorResponses },
    }),
    async (c) => {
      const rows = await db.select().from(githubInstallations).orderBy(asc(githubInstallations.id));
      return c.json(
        {
          items: rows.map((i) => ({
            id: i.id,
            account: i.account,
            accountType: i.accountType,
            repositorySelection: i.repositorySelection,
            suspended: i.suspendedAt !== null,
            removed: i.removedAt !== null,
            syncedAt: iso(i.syncedAt),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/installations/{id}/repositories',
      access: { instance: 'read' },
      tags: ['github'],
      request: { params: z.object({ id: z.coerce.number().int().positive() }) },
      responses: { 200: json(z.object({ items: z.array(Repository) }), 'Repositories'), ...errorResponses },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const [installation] = await db.select().from(githubInstallations).where(eq(githubInstallations.id, id));
      if (!installation) throw notFound(`installation ${id}`);
      const rows = await db.select().from(githubRepositories).where(eq(githubRepositories.installationId, id)).orderBy(asc(githubRepositories.fullName));
      return c.json(
        {
          items: rows.map((r) => ({
            id: r.id,
            installationId: r.installationId,
            fullName: r.fullName,
            private: r.private,
            defaultBranch: r.defaultBranch,
            htmlUrl: r.htmlUrl,
            removed: r.removedAt !== null,
            syncedAt: r.syncedAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  return app;
}
