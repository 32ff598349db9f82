// A host's engine joins and leaves the installation's Swarm through the API: each is a workflow
// (joinSwarm, leaveSwarm) whose end the request waits for, bounded. Checks the API can make from
// the database come first (unknown host 404, a remote host whose worker is not alive 409); the
// rest (a manager on loopback, services pinned to the host, a worker that does not pick up its
// step) come back as the workflow's typed failure. Instance administrators only, as every
// change to hosts.
import { z } from '@hono/zod-openapi';
import { ActivityFailure, ApplicationFailure, TimeoutFailure, WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { getHost, hostAlive } from '../../db/queries/hosts.js';
import { swarmWorkflowId } from '../../src/domain/host-swarm.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { isErrorType } from '../../src/errors.js';
import { executeWorkflow } from '../../src/temporal/workflow-starts.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { conflict, HttpError, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { errorResponses, json } from '../schemas/common.js';
import { HostParam, HostSwarm } from '../schemas/hosts.js';

/** A join or leave that has not ended in this long is stopped by Temporal (the request answers 504). */
const SWARM_CHANGE_TIMEOUT = '3m';

const SwarmJoined = z
  .object({ hostId: z.string(), nodeId: z.string(), joined: z.boolean().openapi({ description: 'false: the host was in the Swarm already and nothing changed' }), swarm: HostSwarm.nullable() })
  .openapi('SwarmJoined');

/** The workflow's failure as the one HTTP error: its typed cause's status, 504 for a host that did not answer. */
function swarmFailure(hostId: string, err: WorkflowFailedError): HttpError {
  let cause: unknown = err.cause;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof TimeoutFailure) return new HttpError(504, 'Timeout', `host ${hostId}'s worker did not answer in time (${String(cause.timeoutType).includes('START') ? 'it never picked up its step' : 'its step ran out of time'}): is \`berth worker --host ${hostId}\` running? Nothing changed on the host`);
  if (cause instanceof ApplicationFailure && isErrorType(cause.type)) {
    const status = cause.type === 'NotFound' ? 404 : cause.type === 'Conflict' || cause.type === 'ValidationFailed' ? 409 : 503;
    return new HttpError(status, cause.type, cause.message);
  }
  return new HttpError(503, 'Unavailable', `the Swarm change of host ${hostId} failed: ${(cause as Error | undefined)?.message ?? err.message}`);
}

export function hostSwarmRoutes({ db, temporal, config }: AppDeps) {
  const app = newRouter();
  const tags = ['hosts'];
  const run = async <T>(hostId: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`a Swarm change of host ${hostId} is under way: try again when it has ended`);
      if (err instanceof WorkflowFailedError) throw swarmFailure(hostId, err);
      throw err;
    }
  };
  const found = async (id: string) => {
    const row = await getHost(db, id);
    if (!row) throw notFound(`host ${id}`);
    return row;
  };

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/{host}/swarm',
      tags,
      access: { instance: 'admin' },
      summary: 'Join the host’s Docker engine to the installation’s Swarm (idempotent)',
      description:
        'The worker join token is read from the manager (the Swarm made first when there is none) and handed to the host’s own worker (`berth worker --host ID`), which joins its engine on its private address (BERTH_HOST_ADDRESS); the node is then labelled `berth.host=<id>`. The token is never stored. A host in the Swarm already answers its node id (`joined: false`). 409: the host’s worker is not alive, its address or the manager’s is loopback, its engine is in another Swarm; 504: its worker did not pick up the step within 20 s (nothing changed).',
      request: { params: HostParam },
      responses: { 200: json(SwarmJoined, 'The host’s Swarm node'), ...errorResponses },
    }),
    async (c) => {
      const row = await found(c.req.valid('param').host);
      if (row.id !== config.hostId && !hostAlive(row)) throw conflict(`host ${row.id}'s worker is not alive (last beat ${row.lastSeenAt?.toISOString() ?? 'never'}): start \`berth worker --host ${row.id}\` on it first`);
      const result = await run(row.id, () =>
        executeWorkflow(temporal, WORKFLOWS.joinSwarm, { workflowId: swarmWorkflowId(row.id), args: [{ hostId: row.id, managerHostId: config.hostId, publishAddress: row.address }], workflowExecutionTimeout: SWARM_CHANGE_TIMEOUT }),
      );
      return c.json({ ...result, swarm: (await found(row.id)).swarm ?? null }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{host}/swarm',
      tags,
      access: { instance: 'admin' },
      summary: 'Take the host’s Docker engine out of the Swarm',
      description:
        'Refused (409) while a stack service is pinned to the host, or while tasks run on its node and the host is not draining (PATCH draining: true), and for the manager (the installation’s own host). Otherwise the node is drained, the host’s engine leaves, and the node is removed from the manager. A host not in the Swarm answers 204 with nothing changed; 504 when its worker does not pick up its step within 20 s.',
      request: { params: HostParam },
      responses: { 204: { description: 'Out of the Swarm' }, ...errorResponses },
    }),
    async (c) => {
      const row = await found(c.req.valid('param').host);
      if (row.id === config.hostId) throw conflict(`host ${row.id} is this installation's own host: its engine is the Swarm's manager`);
      await run(row.id, () =>
        executeWorkflow(temporal, WORKFLOWS.leaveSwarm, { workflowId: swarmWorkflowId(row.id), args: [{ hostId: row.id, managerHostId: config.hostId, drained: row.draining }], workflowExecutionTimeout: SWARM_CHANGE_TIMEOUT }),
      );
      return c.body(null, 204);
    },
  );

  return app;
}
