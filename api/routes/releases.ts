// An environment's releases, and what changed between two of them.
import { z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { releaseSnapshot } from '../../db/queries/release-variables.js';
import { listReleases } from '../../db/queries/releases.js';
import { releases } from '../../db/schema/index.js';
import { diffVariables } from '../../src/domain/variable-diff.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { errorResponses, json } from '../schemas/common.js';
import { Release } from '../schemas/deployments.js';
import { ReleaseDiff } from '../schemas/variables.js';
import { EnvParam, findEnvironment } from './environments.js';

const ReleaseNumber = z.coerce.number().int().min(1).max(2_147_483_647);

async function releaseByNumber(db: Db, environmentId: string, number: number) {
  const [row] = await db.select().from(releases).where(and(eq(releases.environmentId, environmentId), eq(releases.number, number)));
  if (!row) throw notFound(`release ${number} of this environment`);
  return row;
}

export function releaseRoutes({ db, secretBox }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/apps/{app}/environments/{env}/releases',
      access: { need: 'read', on: 'param.app' },
      tags: ['deployments'],
      request: { params: EnvParam },
      responses: { 200: json(z.object({ items: z.array(Release) }), 'Newest first'), ...errorResponses },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const rows = await listReleases(db, env.id);
      return c.json(
        {
          items: rows.map((r) => ({
            id: r.id,
            number: r.number,
            imageRef: r.imageRef,
            imagePinned: r.imagePinned,
            live: r.id === env.liveReleaseId,
            createdByDeploymentId: r.createdByDeploymentId,
            createdAt: r.createdAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/apps/{app}/environments/{env}/releases/{a}/diff/{b}',
      access: { need: 'read', on: 'param.app' },
      tags: ['deployments'],
      summary: 'What changed from release a to release b',
      description: 'Releases by number. Variables added, removed, changed and unchanged; a secret value is never shown, only whether it changed.',
      request: { params: EnvParam.extend({ a: ReleaseNumber, b: ReleaseNumber }) },
      responses: { 200: json(ReleaseDiff, 'The difference'), ...errorResponses },
    }),
    async (c) => {
      const p = c.req.valid('param');
      const { env } = await findEnvironment(db, p.app, p.env);
      const from = await releaseByNumber(db, env.id, p.a);
      const to = await releaseByNumber(db, env.id, p.b);
      return c.json(
        {
          from: from.number,
          to: to.number,
          image: { from: from.imagePinned, to: to.imagePinned, changed: from.imagePinned !== to.imagePinned },
          variables: diffVariables(releaseSnapshot(secretBox, from), releaseSnapshot(secretBox, to)),
        },
        200,
      );
    },
  );

  return app;
}
