// GET /overview: the web UI's first page in one request (see api/schemas/overview.ts).
import { membershipsOf } from '../../db/queries/memberships.js';
import { overviewFingerprint, readOverview, type DeploymentSummaryRow } from '../../db/queries/overview.js';
import { z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { decideProject, type Principal } from '../../src/domain/access.js';
import { environmentHosts } from '../../src/domain/route.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { newRouter } from '../router.js';
import { errorResponses, json } from '../schemas/common.js';
import { Overview } from '../schemas/overview.js';
import { hostDomains } from '../../src/domain/domain-pattern.js';

const presentSummary = (d: DeploymentSummaryRow) => ({
  id: d.id,
  kind: d.kind,
  status: d.status,
  trigger: d.trigger,
  message: d.message,
  createdAt: d.createdAt.toISOString(),
  finishedAt: d.finishedAt?.toISOString() ?? null,
});

/** The database is polled (one cheap query) while a page listens, so any API process can serve it. */
export const OVERVIEW_EVENTS_POLL_MS = 500;
/** Browsers reconnect by themselves after this. */
export const OVERVIEW_EVENTS_MAX_MS = 15 * 60 * 1000;

const presentDrift = (d: { at: Date; drift: string; action: string; outcome: string } | undefined) =>
  d ? { at: d.at.toISOString(), drift: d.drift, action: d.action, outcome: d.outcome } : null;

export function overviewRoutes({ db, config }: AppDeps) {
  const app = newRouter();
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/overview',
      access: { list: 'read' },
      tags: ['projects'],
      summary: 'Projects, apps and environments with what is live and deploying',
      responses: { 200: json(Overview, 'Every project the caller may read'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal') as Principal;
      const visible = await c.get('gate').visibleProjects(c);
      const roles = new Map((await membershipsOf(db, principal.userId)).map((m) => [m.projectId, m.role]));
      const o = await readOverview(db, visible);
      const releaseById = new Map(o.releaseRows.map((r) => [r.id, r]));
      const latestByEnv = new Map(o.latest.map((d) => [d.environmentId, d]));
      const driftByEnv = new Map(o.drift.map((d) => [d.environmentId, d]));
      const may = (projectId: string, need: 'deploy' | 'manage' | 'own') => decideProject(principal, projectId, roles.get(projectId) ?? null, need).allowed;
      const projects = o.projectRows.map((p) => ({
        name: p.name,
        description: p.description,
        can: { deploy: may(p.id, 'deploy'), manage: may(p.id, 'manage'), own: may(p.id, 'own') },
        apps: o.appRows
          .filter((a) => a.projectId === p.id)
          .map((a) => ({
            name: a.name,
            kind: a.kind,
            environments: o.envRows
              .filter((e) => e.appId === a.id)
              .map((e) => {
                const live = e.liveReleaseId ? releaseById.get(e.liveReleaseId) : undefined;
                const latest = latestByEnv.get(e.id);
                return {
                  name: e.name,
                  url: `http://${environmentHosts(a.name, e.name, config.appsDomain, hostDomains(e))[0]}:${config.traefik.port}`,
                  live: live ? { releaseId: live.id, number: live.number, imageRef: live.imageRef, imagePinned: live.imagePinned } : null,
                  latest: latest ? presentSummary(latest) : null,
                  active: o.active.filter((d) => d.environmentId === e.id).map(presentSummary),
                  lastDrift: presentDrift(driftByEnv.get(e.id)),
                };
              }),
          })),
      }));
      return c.json({ projects }, 200);
    },
  );
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/overview/events',
      access: { list: 'read' },
      tags: ['projects'],
      summary: 'Tells when the overview has changed (Server-Sent Events)',
      description: 'event: changed (data: {}) whenever an app, environment, deployment or live release of a project the caller may read changes; read GET /overview again. The first event comes at once.',
      responses: {
        200: { description: 'event: changed', content: { 'text/event-stream': { schema: z.object({ event: z.literal('changed'), data: z.string() }).openapi('OverviewEvent') } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const visible = await c.get('gate').visibleProjects(c);
      return streamSSE(c, async (stream) => {
        let closed = false;
        stream.onAbort(() => {
          closed = true;
        });
        let last: string | null = null;
        const deadline = Date.now() + OVERVIEW_EVENTS_MAX_MS;
        while (!closed && Date.now() < deadline) {
          const now = await overviewFingerprint(db, visible);
          if (now !== last) {
            last = now;
            await stream.writeSSE({ event: 'changed', data: '{}' });
          }
          await stream.sleep(OVERVIEW_EVENTS_POLL_MS);
        }
      }) as never;
    },
  );
  return app;
}
