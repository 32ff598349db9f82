// Removing an environment, or an app with all its environments, with what Berth runs for them
// (api/environment-removal.ts says how). Refusals (a deploy in flight, an environment others
// inherit from, a live stack) are 409s that change nothing; the audit trail records each call.
// The caller names what goes twice (?confirm=<name>), as one types a repository's name on GitHub.
import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { listEnvironments } from '../../db/queries/environments.js';
import { apps, environments } from '../../db/schema/index.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { assertRemovable, stopLanes, sweepRemoved } from '../environment-removal.js';
import { invalid } from '../errors.js';
import { newRouter } from '../router.js';
import { errorResponses, json } from '../schemas/common.js';
import { AppParam, findApp } from './apps.js';
import { EnvParam, findEnvironment } from './environments.js';

/** Removal is for good: the caller repeats the name, so a mistyped path or a stray script removes nothing. */
const Confirm = (what: string) =>
  z.object({ confirm: z.string().max(100).openapi({ description: `The ${what}'s name again: removal is for good` }) });

function assertConfirmed(confirm: string, name: string): void {
  if (confirm !== name) throw invalid(`confirm must repeat the name (${name}) to remove it`, [{ path: 'confirm', message: `must be ${name}` }]);
}

const Removed = z
  .object({
    environments: z.array(z.string()).openapi({ description: 'The environments removed' }),
    containers: z.number().int().openapi({ description: 'Containers the reconcile pass removed (this installation’s, of any environment gone)' }),
    routes: z.number().int().openapi({ description: 'Traefik routes removed the same way' }),
  })
  .openapi('Removed');

export function removalRoutes({ db, temporal, config }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{app}/environments/{env}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['environments'],
      summary: 'Remove an environment: its containers, route, releases, deployments and variables',
      description: 'Refused (409) while a deployment is queued or running there, while another environment inherits from it, while an open pull request’s preview is made from it, and for a stack still running (tear it down first). Answers once a reconcile pass has removed its containers and route.',
      request: { params: EnvParam, query: Confirm('environment') },
      responses: { 200: json(Removed, 'Removed'), ...errorResponses },
    }),
    async (c) => {
      assertConfirmed(c.req.valid('query').confirm, c.req.valid('param').env);
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      await assertRemovable(db, a, [env], false);
      await stopLanes(temporal, [env]);
      const since = new Date();
      await db.delete(environments).where(eq(environments.id, env.id));
      const swept = await sweepRemoved(temporal, config, since);
      return c.json({ environments: [env.name], containers: swept.orphans, routes: swept.staleRoutes }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{app}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['apps'],
      summary: 'Remove an app with all its environments, rules and history',
      description: 'Refused (409) while any of its environments is deploying, and while a stack environment still runs (tear it down first). Answers once a reconcile pass has removed the containers and routes.',
      request: { params: AppParam, query: Confirm('app') },
      responses: { 200: json(Removed, 'Removed'), ...errorResponses },
    }),
    async (c) => {
      assertConfirmed(c.req.valid('query').confirm, c.req.valid('param').app);
      const a = await findApp(db, c.req.valid('param').app);
      const doomed = await listEnvironments(db, a.id);
      await assertRemovable(db, a, doomed, true);
      await stopLanes(temporal, doomed);
      const since = new Date();
      // Environments, deployments, releases, rules and previews go with the app (foreign keys cascade).
      await db.delete(apps).where(eq(apps.id, a.id));
      const swept = await sweepRemoved(temporal, config, since);
      return c.json({ environments: doomed.map((e) => e.name), containers: swept.orphans, routes: swept.staleRoutes }, 200);
    },
  );

  return app;
}
