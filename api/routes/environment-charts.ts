// The environment page's charts: request rate, 5xx rate, p95 latency, CPU and memory over the
// last minutes, from the samples the worker keeps (db/queries/environment-samples.ts), with the
// deployments that ended in that time as markers. Members who may read the project may read them.
import { z } from '@hono/zod-openapi';
import { and, desc, eq, gte, isNotNull } from 'drizzle-orm';
import { environmentSamplesSince } from '../../db/queries/environment-samples.js';
import { deployments, releases } from '../../db/schema/index.js';
import { environmentSeries } from '../../src/metrics/environment-series.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { newRouter } from '../router.js';
import { errorResponses, json } from '../schemas/common.js';
import { EnvParam, findEnvironment } from './environments.js';

const ChartsQuery = z.object({
  minutes: z.coerce.number().int().min(5).max(120).default(60).openapi({ description: 'How far back (5–120 minutes; samples are kept two hours)' }),
});

const EnvironmentCharts = z
  .object({
    from: z.number().openapi({ description: 'Start of the range (ms since the epoch)' }),
    to: z.number(),
    points: z.array(
      z.object({
        at: z.number().openapi({ description: 'End of the interval (ms since the epoch)' }),
        requestsPerSecond: z.number(),
        errorsPerSecond: z.number().openapi({ description: '5xx answers per second' }),
        p95Ms: z.number().nullable().openapi({ description: "Upper bound of the latency bucket holding the interval's 95th percentile; null without answers" }),
        cpuCores: z.number(),
        memoryBytes: z.number(),
      }),
    ),
    deploys: z.array(z.object({ at: z.number(), deploymentId: z.string(), status: z.string(), release: z.number().nullable() })),
  })
  .openapi('EnvironmentCharts');

export function environmentChartRoutes({ db }: AppDeps) {
  const app = newRouter();
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/environments/{env}/charts',
      access: { need: 'read', on: 'param.app' },
      tags: ['environments'],
      summary: "The environment's request rate, 5xx, p95, CPU and memory over time, with deploy markers",
      description: 'From the samples the worker takes every BERTH_CONTAINER_SAMPLE_SECONDS (Traefik’s counters for the environment and its containers’ figures); each point covers the time since the one before.',
      request: { params: EnvParam, query: ChartsQuery },
      responses: { 200: json(EnvironmentCharts, 'Series and deploy markers'), ...errorResponses },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const to = Date.now();
      const from = to - c.req.valid('query').minutes * 60_000;
      const rows = await environmentSamplesSince(db, env.id, new Date(from));
      const ended = await db
        .select({ id: deployments.id, status: deployments.status, finishedAt: deployments.finishedAt, release: releases.number })
        .from(deployments)
        .leftJoin(releases, eq(releases.id, deployments.releaseId))
        .where(and(eq(deployments.environmentId, env.id), isNotNull(deployments.finishedAt), gte(deployments.finishedAt, new Date(from))))
        .orderBy(desc(deployments.finishedAt))
        .limit(100);
      return c.json(
        {
          from,
          to,
          points: environmentSeries(rows),
          deploys: ended.map((d) => ({ at: d.finishedAt?.getTime() ?? 0, deploymentId: d.id, status: d.status, release: d.release })),
        },
        200,
      );
    },
  );
  return app;
}
