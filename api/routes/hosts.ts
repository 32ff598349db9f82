// The hosts Berth deploys to: list them with liveness (their workers' heartbeats), look at one
// with the pollers Temporal sees on its task queue, register, change (address, labels,
// capacity, draining) and remove one. Reading is for instance readers; changes for instance
// administrators, audited like every change.
import { z } from '@hono/zod-openapi';
import { createHost, deleteHost, getHost, hostAlive, listHosts, placedOn, updateHost, type HostRow } from '../../db/queries/hosts.js';
import { drainWorkflowId, type HostDrain } from '../../src/domain/host-drain.js';
import { hostTaskQueue } from '../../src/domain/task-queues.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { startWorkflow } from '../../src/temporal/workflow-starts.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { conflict, invalid, notFound } from '../errors.js';
import { hostPollers } from '../host-pollers.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { Host, HostInput, HostParam, HostPatch, Poller } from '../schemas/hosts.js';

function present(row: HostRow) {
  return {
    id: row.id,
    taskQueue: hostTaskQueue(row.id),
    address: row.address,
    labels: row.labels,
    capacity: row.capacity,
    draining: row.draining,
    alive: hostAlive(row),
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    seenBy: row.seenBy,
    heartbeatSeconds: row.heartbeatSeconds,
    drain: row.drain ?? null,
    swarm: row.swarm ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function hostRoutes({ db, temporal, config }: AppDeps) {
  const app = newRouter();
  const tags = ['hosts'];
  /**
   * Whether the host's drain is moving environments: recorded as moving and its workflow still
   * running. One that ended without recording its end (terminated, or its steps out of retries)
   * moves nothing any more: it is recorded incomplete, so the host can be drained again or undrained.
   */
  const drainMoving = async (row: HostRow): Promise<boolean> => {
    if (row.drain?.state !== 'moving') return false;
    const running = await temporal.workflow
      .getHandle(drainWorkflowId(row.id))
      .describe()
      .then((d) => d.status.name === 'RUNNING', () => false);
    if (!running) await updateHost(db, row.id, { drain: { ...row.drain, state: 'incomplete', current: null, finishedAt: Date.now() } });
    return running;
  };

  /** Where a drain sends environments: another registered host, alive and taking placements. */
  const assertDrainTarget = async (hostId: string, drainTo: string | null) => {
    const target = drainTo ?? config.hostId;
    const issue = (message: string) => invalid(`host ${target} cannot take ${hostId}'s environments: ${message}`, [{ path: 'drainTo', message }]);
    if (target === hostId) throw issue('it is the host being drained (name another in drainTo)');
    const row = await getHost(db, target);
    if (!row) throw issue('no such host');
    if (row.draining) throw issue('host is draining');
    if (!hostAlive(row)) throw issue('its worker is not alive');
  };
  const found = async (id: string) => {
    const row = await getHost(db, id);
    if (!row) throw notFound(`host ${id}`);
    return row;
  };

  app.openapi(
    defineRoute({ method: 'get', path: '/', tags, access: { instance: 'read' }, summary: 'The hosts, with whether each one’s worker is alive', responses: { 200: json(z.object({ items: z.array(Host) }), 'Hosts'), ...errorResponses } }),
    async (c) => c.json({ items: (await listHosts(db)).map(present) }, 200),
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{host}',
      tags,
      access: { instance: 'read' },
      summary: 'One host, with the pollers Temporal sees on its task queue',
      request: { params: HostParam },
      responses: { 200: json(Host.extend({ pollers: z.array(Poller).nullable().openapi({ description: 'null when Temporal did not answer in time' }) }), 'The host'), ...errorResponses },
    }),
    async (c) => {
      const row = await found(c.req.valid('param').host);
      return c.json({ ...present(row), pollers: await hostPollers(temporal, config.temporal.namespace, row.id) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/',
      tags,
      access: { instance: 'admin' },
      summary: 'Register a host ahead of its worker (`berth worker --host ID` on it)',
      request: { body: body(HostInput) },
      responses: { 201: json(Host, 'The host'), ...errorResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const row = await createHost(db, input);
      if (!row) throw conflict(`host ${input.id} exists`);
      return c.json(present(row), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/{host}',
      tags,
      access: { instance: 'admin' },
      summary: 'Change a host’s address, labels or capacity, or drain it',
      description: 'Draining (`draining: true`) takes the host out of placement and moves every environment on it to `drainTo` (default: the installation’s own host), one after another, each by a deployment of its live release there; `drain` shows the progress. Refused (400) when the target is the host itself, unknown, draining or not alive; (409) turning draining off while a drain is moving environments.',
      request: { params: HostParam, body: body(HostPatch) },
      responses: { 200: json(Host, 'The host'), ...errorResponses },
    }),
    async (c) => {
      const { drainTo, ...change } = c.req.valid('json');
      const before = await found(c.req.valid('param').host);
      const moving = await drainMoving(before);
      if (change.draining === false && moving) throw conflict(`host ${before.id} is moving its environments away (GET /hosts/${before.id}): wait for the drain to end`);
      const starts = change.draining === true && !moving && (await placedOn(db, before.id, config.hostId)) > 0;
      if (starts) await assertDrainTarget(before.id, drainTo ?? null);
      // A drain starting is recorded as moving at once (the workflow's first step counts again),
      // so nobody reads an earlier drain's end as this one's.
      const drain: HostDrain | undefined = starts ? { target: drainTo ?? null, state: 'moving', total: await placedOn(db, before.id, config.hostId), moved: [], failed: [], current: null, startedAt: Date.now(), finishedAt: null } : undefined;
      const row = await updateHost(db, before.id, { ...change, ...(drain ? { drain } : {}) });
      if (!row) throw notFound(`host ${before.id}`);
      if (drain) {
        await startWorkflow(temporal, WORKFLOWS.drainHost, { workflowId: drainWorkflowId(row.id), args: [{ hostId: row.id, target: drainTo ?? null }], workflowIdConflictPolicy: 'USE_EXISTING' }).catch(async (err: unknown) => {
          // Not started: no drain is moving anything, and the host must not say one is.
          await updateHost(db, row.id, { drain: { ...drain, state: 'incomplete', finishedAt: Date.now() } });
          throw err;
        });
      }
      return c.json(present(row), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{host}',
      tags,
      access: { instance: 'admin' },
      summary: 'Remove a host whose worker has stopped',
      description: 'Refused (409) for the installation’s own host, for a host whose worker is alive (stop the worker first) and for one with environments placed on it.',
      request: { params: HostParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      const row = await found(c.req.valid('param').host);
      if (row.id === config.hostId) throw conflict(`host ${row.id} is this installation's own host (BERTH_HOST_ID)`);
      if (hostAlive(row)) throw conflict(`host ${row.id} is alive (its worker beat at ${row.lastSeenAt?.toISOString()}): stop its worker first`);
      const placed = await placedOn(db, row.id);
      if (placed > 0) throw conflict(`host ${row.id} has ${placed} environment(s) placed on it: move or remove them first`);
      await deleteHost(db, row.id);
      return c.body(null, 204);
    },
  );

  return app;
}
