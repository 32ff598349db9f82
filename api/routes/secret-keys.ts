// The keys that seal secrets, and their rotation: listing (ids, states, how many stored values
// each seals; never a key), starting a rotation, and watching it. Instance administrators only;
// starting a rotation is audited like every change.
import { z } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { countByKey } from '../../db/queries/sealed-fields.js';
import { listSecretKeys, removeRetiredKey } from '../../db/queries/secret-keys.js';
import { openWorkUnderKey, valuesUnderKey } from '../key-usage.js';
import { DEFAULT_RESEAL_BATCH } from '../../src/domain/key-rotation.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { keyRotationProgressQuery } from '../../src/domain/workflow-definitions.js';
import { SECRET_KEY_ROTATION_WORKFLOW_ID } from '../../src/domain/workflow-ids.js';
import { newId } from '../../src/ids.js';
import { KEY_SETTLE_MS } from '../../src/secrets/key-ring.js';
import { startWorkflow } from '../../src/temporal/workflow-starts.js';
import { workflowUiUrl } from '../../src/temporal/client.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { errorResponses, json } from '../schemas/common.js';
import { boundedQuery } from '../../src/temporal/bounded-query.js';

const SecretKey = z
  .object({
    id: z.string(),
    state: z.enum(['current', 'active', 'retired']),
    source: z.enum(['configured', 'generated', 'replaced']).openapi({
      description: 'configured: BERTH_SECRET_KEY (or the key file); generated: added by a rotation, stored sealed under the configured key; replaced: an earlier BERTH_SECRET_KEY, stored sealed under the configured key since it changed',
    }),
    values: z.number().int().openapi({ description: 'Stored values sealed under this key' }),
    createdAt: z.string().nullable(),
    retiredAt: z.string().nullable(),
  })
  .openapi('SecretKey');

const Progress = z
  .object({
    keyId: z.string(),
    phase: z.enum(['adding-key', 'settling', 'resealing', 'retiring', 'done']),
    passes: z.number().int(),
    fields: z.array(z.object({ field: z.string(), pending: z.number().int(), resealed: z.number().int() })),
    resealed: z.number().int(),
    pending: z.number().int(),
    unreadable: z.array(z.string()),
    retired: z.array(z.string()),
  })
  .openapi('KeyRotationProgress');

const Rotation = z
  .object({
    workflowId: z.string(),
    status: z.string().openapi({ description: 'Temporal status: RUNNING, COMPLETED, FAILED, TERMINATED …' }),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
    progress: Progress.nullable(),
    failure: z.string().nullable(),
    temporalUrl: z.string(),
  })
  .openapi('KeyRotation');

const RotateInput = z
  .object({ batchSize: z.number().int().min(1).max(5000).default(DEFAULT_RESEAL_BATCH).openapi({ description: 'Values re-sealed per step' }) })
  .strict();

export function secretKeyRoutes({ db, temporal, config, secretBox }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/keys',
      access: { instance: 'read' },
      tags: ['keys'],
      summary: 'The keys that seal secrets: ids, states and how many stored values each seals (never the keys)',
      responses: { 200: json(z.object({ items: z.array(SecretKey) }), 'Keys'), ...errorResponses },
    }),
    async (c) => {
      const [rows, counts] = await Promise.all([listSecretKeys(db), countByKey(db)]);
      const masterId = secretBox.ring.masterId;
      // Before the first rotation the configured key is the only one and has no row.
      const listed = rows.some((r) => r.id === masterId) ? rows : [{ id: masterId, wrapped: null, state: rows.some((r) => r.state === 'current') ? 'active' : 'current', createdAt: null, retiredAt: null } as const, ...rows];
      const items = listed.map((r) => ({
        id: r.id,
        state: r.state,
        source: r.id === masterId ? ('configured' as const) : r.id.startsWith('mk') ? ('replaced' as const) : ('generated' as const),
        // Values sealed before keys had ids (v1) are the configured key's.
        values: (counts[r.id] ?? 0) + (r.id === masterId ? (counts.v1 ?? 0) : 0),
        createdAt: r.createdAt?.toISOString() ?? null,
        retiredAt: r.retiredAt?.toISOString() ?? null,
      }));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/keys/rotate',
      access: { instance: 'admin' },
      tags: ['keys'],
      summary: 'Rotate: add a new key, re-seal every stored secret under it, retire the old keys',
      description: 'Starts the rotation workflow and answers at once; GET /admin/keys/rotation watches it. One rotation at a time (409 while one runs).',
      request: { body: { required: false, content: { 'application/json': { schema: RotateInput } } } },
      responses: { 202: json(z.object({ workflowId: z.string(), keyId: z.string(), temporalUrl: z.string() }), 'Started'), ...errorResponses },
    }),
    async (c) => {
      const { batchSize } = RotateInput.parse(c.req.valid('json') ?? {});
      const keyId = newId('key');
      try {
        await startWorkflow(temporal, WORKFLOWS.rotateSecretKeys, {
          workflowId: SECRET_KEY_ROTATION_WORKFLOW_ID,
          args: [{ keyId, batchSize, settleMs: KEY_SETTLE_MS }],
          workflowIdConflictPolicy: 'FAIL',
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict('a key rotation is already running (GET /admin/keys/rotation)');
        throw err;
      }
      return c.json({ workflowId: SECRET_KEY_ROTATION_WORKFLOW_ID, keyId, temporalUrl: workflowUiUrl(config.temporal, SECRET_KEY_ROTATION_WORKFLOW_ID) }, 202);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/keys/{id}',
      access: { instance: 'admin' },
      tags: ['keys'],
      summary: 'Remove a retired key from the ring, once nothing uses it',
      description:
        'Only a retired key, never the configured one. Refused with a 409 naming the count while stored values are sealed under it or open workflows hold payloads encrypted under it; closed workflows’ payloads under it can no longer be read in the Temporal Web UI afterwards.',
      request: { params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a key id') }) },
      responses: { 200: json(z.object({ id: z.string(), removed: z.literal(true) }), 'Removed'), ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (id === secretBox.ring.masterId) throw conflict(`key ${id} is the configured BERTH_SECRET_KEY: it wraps every other key and cannot be removed`);
      const [row] = (await listSecretKeys(db)).filter((r) => r.id === id);
      if (!row) throw notFound(`key ${id}`);
      if (row.state !== 'retired') throw conflict(`key ${id} is ${row.state}, not retired: a rotation retires it once nothing is sealed under it`);
      const values = await valuesUnderKey(db, id);
      if (values > 0) throw conflict(`key ${id} still seals ${values} stored value(s): run a rotation first`);
      const open = await openWorkUnderKey(temporal, id);
      if (open.length > 0) throw conflict(`${open.length} open workflow(s) or schedule(s) hold payloads encrypted under key ${id} (${open.slice(0, 5).join(', ')}): wait until they close, and restart the workers (which update the schedules)`);
      await removeRetiredKey(db, id);
      return c.json({ id, removed: true as const }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/keys/rotation',
      access: { instance: 'read' },
      tags: ['keys'],
      summary: 'The latest key rotation: its status and progress',
      responses: { 200: json(Rotation, 'The latest rotation'), ...errorResponses },
    }),
    async (c) => {
      const handle = temporal.workflow.getHandle(SECRET_KEY_ROTATION_WORKFLOW_ID);
      let described;
      try {
        described = await handle.describe();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound('key rotation (none has run)');
        throw err;
      }
      const status = described.status.name;
      let failure: string | null = null;
      if (status === 'FAILED') failure = await handle.result().then(() => null, (err: Error) => (err.cause as Error | undefined)?.message ?? err.message);
      // A finished rotation's result is its last progress (no worker needed to read it); a
      // running one answers the query (without a worker, within 3 s: no progress rather than a
      // hung request); a failed one's failure says what is left.
      const progress =
        status === 'COMPLETED' ? await handle.result() : status === 'RUNNING' ? await boundedQuery(temporal, 'the key rotation', () => handle.query(keyRotationProgressQuery), 3000).catch(() => null) : null;
      return c.json(
        {
          workflowId: SECRET_KEY_ROTATION_WORKFLOW_ID,
          status,
          startedAt: described.startTime.toISOString(),
          closedAt: described.closeTime?.toISOString() ?? null,
          progress,
          failure,
          temporalUrl: workflowUiUrl(config.temporal, SECRET_KEY_ROTATION_WORKFLOW_ID),
        },
        200,
      );
    },
  );

  return app;
}
