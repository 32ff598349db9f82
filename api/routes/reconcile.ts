// Reconcile in the API: what it found and did (events), and asking it to run now.
import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { reconcileEvents } from '../../db/schema/index.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { recheckSignal } from '../../src/domain/workflow-definitions.js';
import { CLEANUP_WORKFLOW_ID, RECONCILE_ALL_WORKFLOW_ID, reconcileEnvironmentWorkflowId } from '../../src/domain/workflow-ids.js';
import { cleanupInput, reconcileAllInput } from '../../src/temporal/schedules.js';
import { executeWorkflow, signalWithStart, startWorkflow } from '../../src/temporal/workflow-starts.js';
import type { AppDeps } from '../deps.js';
import { invalid } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json, Name } from '../schemas/common.js';
import { findEnvironment } from './environments.js';

const Event = z
  .object({
    id: z.number(),
    at: z.string(),
    environmentId: z.string().nullable(),
    drift: z.string(),
    action: z.string(),
    outcome: z.string(),
    detail: z.record(z.string(), z.unknown()),
    trigger: z.string(),
  })
  .openapi('ReconcileEvent');

const RunInput = z
  .object({
    app: Name.optional(),
    env: Name.optional(),
    wait: z.boolean().default(false).openapi({ description: 'Answer when the pass has finished, with its summary' }),
  })
  .strict()
  .refine((v) => (v.app === undefined) === (v.env === undefined), { message: 'give both app and env, or neither', path: ['env'] });

const CleanupInput = z
  .object({
    dryRun: z.boolean().default(true).openapi({ description: 'Only report what would be removed' }),
    buildCacheUnusedForHours: z
      .number()
      .int()
      .min(0)
      .max(365 * 24)
      .optional()
      .openapi({ description: 'Build cache records unused for longer than this go (default BERTH_BUILD_CACHE_MAX_AGE_HOURS)' }),
  })
  .strict();

const CleanupResult = z.object({
  dryRun: z.boolean(),
  candidates: z.array(z.object({ imageId: z.string(), reference: z.string() })),
  removed: z.array(z.string()),
  buildCache: z.object({ records: z.number(), bytes: z.number(), reclaimedBytes: z.number(), unusedForHours: z.number() }),
  uploads: z.array(z.string()).openapi({ description: 'Static-site uploads no deployment will use' }),
});

export function reconcileRoutes({ db, temporal, config }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/reconcile/events',
      access: { need: 'read', on: 'query.app', orInstance: 'read' },
      tags: ['reconcile'],
      summary: 'What reconcile found and did, newest first',
      request: {
        query: z.object({
          app: Name.optional(),
          env: Name.optional(),
          drift: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.coerce.number().int().min(1).optional(),
        }),
      },
      responses: { 200: json(z.object({ items: z.array(Event), nextCursor: z.number().nullable() }), 'Events'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const where: SQL[] = [];
      if (q.app || q.env) {
        if (!q.app || !q.env) throw invalid('give both app and env, or neither', [{ path: 'env', message: 'app and env go together' }]);
        where.push(eq(reconcileEvents.environmentId, (await findEnvironment(db, q.app, q.env)).env.id));
      }
      if (q.drift) where.push(eq(reconcileEvents.drift, q.drift));
      if (q.cursor) where.push(lt(reconcileEvents.id, q.cursor));
      const rows = await db.select().from(reconcileEvents).where(and(...where)).orderBy(desc(reconcileEvents.id)).limit(q.limit);
      return c.json(
        {
          items: rows.map((r) => ({ ...r, at: r.at.toISOString() })),
          nextCursor: rows.length === q.limit ? (rows[rows.length - 1]?.id ?? null) : null,
        },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/reconcile',
      access: { need: 'deploy', on: 'body.app', orInstance: 'admin' },
      tags: ['reconcile'],
      summary: 'Reconcile now: one environment, or everything',
      request: { body: { required: false, content: { 'application/json': { schema: RunInput } } } },
      responses: {
        202: json(z.object({ workflowId: z.string() }), 'Started'),
        200: json(z.object({ workflowId: z.string(), result: z.unknown() }), 'Finished (wait: true)'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const input = RunInput.parse(c.req.valid('json') ?? {});
      // One environment is its project's business; everything is the installation's.
      if (Boolean(input.app) !== Boolean(input.env)) throw invalid('give both app and env, or neither', [{ path: input.app ? 'env' : 'app', message: 'app and env go together' }]);
      let handle;
      if (input.app && input.env) {
        const { env } = await findEnvironment(db, input.app, input.env);
        handle = await signalWithStart(temporal, WORKFLOWS.reconcileEnvironment, recheckSignal, {
          workflowId: reconcileEnvironmentWorkflowId(env.id),
          args: [{ environmentId: env.id, hostId: config.hostId, trigger: 'api' }],
          signalArgs: [],
        });
      } else {
        handle = await startWorkflow(temporal, WORKFLOWS.reconcileAll, {
          workflowId: RECONCILE_ALL_WORKFLOW_ID,
          args: [reconcileAllInput(config, 'api')],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
      }
      if (!input.wait) return c.json({ workflowId: handle.workflowId }, 202);
      return c.json({ workflowId: handle.workflowId, result: await handle.result() }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/cleanup',
      access: { instance: 'admin' },
      tags: ['reconcile'],
      summary: 'Remove images Berth pulled or built that nothing retained uses, and stale build cache (dry run by default)',
      request: { body: body(CleanupInput) },
      responses: {
        200: json(CleanupResult, 'Done'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { dryRun, buildCacheUnusedForHours } = c.req.valid('json');
      const result = await executeWorkflow(temporal, WORKFLOWS.cleanUpHost, {
        workflowId: `${CLEANUP_WORKFLOW_ID}-api-${Date.now()}`,
        args: [cleanupInput(config, dryRun, 'api', buildCacheUnusedForHours)],
      });
      return c.json(result, 200);
    },
  );

  return app;
}
