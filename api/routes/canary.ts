// A running canary through the API: its state, and promote, pause, resume and abort, each a
// Temporal update on the deployment's workflow (the workflow decides; a refusal is a 409 that
// changed nothing).
import { z } from '@hono/zod-openapi';
import { getDeployment } from '../../db/queries/deployments.js';
import type { Principal } from '../../src/domain/access.js';
import { isFinalStatus } from '../../src/domain/deployment.js';
import { moveCanary, readCanary, type CanaryAnswer } from '../../src/temporal/canary-client.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { CanaryCommandInput, CanaryState } from '../schemas/canary.js';
import { errorResponses, Id, json, unansweredResponse } from '../schemas/common.js';

const DeploymentParam = z.object({ id: Id });
const ActionParam = z.object({ id: Id, action: z.enum(['promote', 'pause', 'resume', 'abort']).openapi({ description: 'promote: straight to 100 %; pause/resume: the step’s timer; abort: traffic back on the stable release' }) });

export function canaryRoutes(deps: AppDeps) {
  const { db, temporal } = deps;
  const app = newRouter();

  async function running(id: string) {
    const d = await getDeployment(db, id);
    if (!d) throw notFound('deployment');
    if (isFinalStatus(d.status)) throw conflict(`deployment already ${d.status}`);
    return d;
  }
  const stateOf = (answer: CanaryAnswer) => {
    if ('refused' in answer) throw conflict(answer.refused);
    return answer.state;
  };

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/deployments/{id}/canary',
      access: { need: 'read', on: 'param.deployment' },
      tags: ['deployments'],
      summary: 'A running canary’s step, weight and analysis',
      request: { params: DeploymentParam },
      responses: { 200: json(CanaryState, 'The canary now'), ...errorResponses, ...unansweredResponse },
    }),
    async (c) => {
      const d = await running(c.req.valid('param').id);
      return c.json(stateOf(await readCanary(temporal, d.id)), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/deployments/{id}/canary/{action}',
      access: { need: 'deploy', on: 'param.deployment' },
      tags: ['deployments'],
      summary: 'Promote, pause, resume or abort a running canary',
      description: 'Answers with the canary’s state once its workflow has taken the action; 409 (nothing changed) when the deployment runs no canary or the action does not apply now.',
      request: { params: ActionParam, body: { required: false, content: { 'application/json': { schema: CanaryCommandInput } } } },
      responses: { 200: json(CanaryState, 'The canary after the action'), ...errorResponses },
    }),
    async (c) => {
      const { id, action } = c.req.valid('param');
      const d = await running(id);
      const body = (c.req.header('content-type') ?? '').includes('json') ? c.req.valid('json') : {};
      const principal = c.get('principal') as Principal | null;
      return c.json(stateOf(await moveCanary(temporal, d.id, action, { by: principal?.email, reason: body.reason })), 200);
    },
  );
  return app;
}
