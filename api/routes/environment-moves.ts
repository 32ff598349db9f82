// Moving a deployed environment to another host: its live release is deployed again there
// through the environment's lane (db/queries/move-request.ts), so the move is a deployment like
// any other — recorded (trigger "move"), shown, cancellable — and a failure leaves the
// environment on its old host, serving. An environment with nothing live moves by PATCH hostId.
import { z } from '@hono/zod-openapi';
import { getHost, hostAlive } from '../../db/queries/hosts.js';
import { inFlightDeployment } from '../../db/queries/in-flight.js';
import { moveRequest, staticSourceAway } from '../../db/queries/move-request.js';
import { moveRefusal } from '../../src/domain/hosts.js';
import { newId } from '../../src/ids.js';
import { submitToLane } from '../../src/temporal/lane-client.js';
import { defineRoute } from '../access/access-spec.js';
import { acceptedBody, requestSite } from '../deploy-requests.js';
import type { AppDeps } from '../deps.js';
import { assertPlacement } from '../environment-placement.js';
import { conflict, invalid } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { Accepted } from '../schemas/deployments.js';
import { HostId } from '../schemas/hosts.js';
import { EnvParam, findEnvironment } from './environments.js';

export const MoveInput = z
  .object({ hostId: HostId.nullable().openapi({ description: 'The host to move to (null: the installation’s own host)' }) })
  .strict()
  .openapi('EnvironmentMove');

export function environmentMoveRoutes({ db, temporal, config }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/{app}/environments/{env}/move',
      access: { need: 'manage', on: 'param.app' },
      tags: ['environments'],
      summary: 'Move a deployed environment to another host, by a deployment of its live release there',
      description:
        'The live release is created and health-gated on the new host (a static site: its files packed on the old host, carried through the database and unpacked there), the route switched there and verified, then the environment is placed on it and what it had on the old host is removed after the drain. Refused (400) for an unknown or draining host or an app kind that cannot be placed there (a stack); (409) when nothing is live (PATCH hostId instead), when the environment is already there, when a deployment of it is queued or running, or when the host’s worker is not alive (for a static site, also the worker of the host it leaves).',
      request: { params: EnvParam, body: body(MoveInput) },
      responses: { 202: json(Accepted, 'Queued'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const { hostId } = c.req.valid('json');
      const target = hostId ?? config.hostId;
      await assertPlacement(db, hostId, a, config.hostId);
      const refusal = moveRefusal(a.kind);
      if (refusal) throw invalid(refusal, [{ path: 'hostId', message: `a deployed ${a.kind} app cannot move yet` }]);
      if (!env.liveReleaseId) throw conflict(`environment ${env.name} has no live release: change its hostId instead (PATCH)`);
      if (env.spread) throw conflict(`environment ${env.name} is spread over several hosts: its deploys choose them (docs/operations.md, "spread")`);
      if (target === (env.hostId ?? config.hostId)) throw conflict(`environment ${env.name} already runs on host ${target}`);
      const busy = await inFlightDeployment(db, env.id);
      if (busy) throw conflict(`environment ${env.name} has deployment ${busy.id} queued or running: move it once that has ended`);
      const host = await getHost(db, target);
      if (!host || !hostAlive(host)) throw conflict(`host ${target}'s worker is not alive: the move would wait for it`);
      const away = await staticSourceAway(db, a.kind, env, config.hostId);
      if (away) throw conflict(away);
      const done = await submitToLane(temporal, await moveRequest(db, requestSite(config), a, env, hostId, newId('dep')));
      return c.json(acceptedBody(config, done.deploymentId, done.workflowId), 202);
    },
  );

  return app;
}
