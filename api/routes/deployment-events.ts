// Live progress of one deployment as Server-Sent Events: `phase` when a phase starts or ends,
// `log` for each log line, `status` when the status changes, then `end` once it is final.
// The database is the source, polled while the stream is open, so any API process can serve
// any deployment.
import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import { streamSSE } from 'hono/streaming';
import { getDeployment, logsAfter } from '../../db/queries/deployments.js';
import { isFinalStatus } from '../../src/domain/deployment.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { errorResponses, Id } from '../schemas/common.js';
import { presentPhase } from '../present-deployment.js';

export const EVENTS_POLL_MS = 150;
/** A stream never outlives this, whatever the deployment does. */
export const EVENTS_MAX_MS = 60 * 60 * 1000;

export function deploymentEvents({ db }: AppDeps) {
  const app = newRouter();
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/deployments/{id}/events',
      access: { need: 'read', on: 'param.deployment' },
      tags: ['deployments'],
      summary: 'Live progress (Server-Sent Events)',
      request: { params: z.object({ id: Id }) },
      responses: {
        200: {
          description: 'event: phase | log | status | end; data: JSON',
          content: {
            'text/event-stream': {
              schema: z.object({ event: z.enum(['phase', 'log', 'status', 'end']), data: z.string().openapi({ description: 'JSON' }), id: z.string().optional() }).openapi('DeploymentEvent'),
            },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      if (!(await getDeployment(db, id))) throw notFound('deployment');
      return streamSSE(c, async (stream) => {
        const seenPhases = new Map<string, string>();
        let lastLog = 0;
        let lastStatus = '';
        const deadline = Date.now() + EVENTS_MAX_MS;
        let closed = false;
        stream.onAbort(() => {
          closed = true;
        });
        while (!closed && Date.now() < deadline) {
          const d = await getDeployment(db, id);
          if (!d) break;
          for (const p of d.phases) {
            const key = `${p.outcome}|${p.endedAt?.toISOString() ?? ''}|${p.message ?? ''}`;
            if (seenPhases.get(p.phase) !== key) {
              seenPhases.set(p.phase, key);
              await stream.writeSSE({ event: 'phase', data: JSON.stringify(presentPhase(p)) });
            }
          }
          for (const line of await logsAfter(db, id, lastLog)) {
            lastLog = line.id;
            await stream.writeSSE({
              event: 'log',
              id: String(line.id),
              data: JSON.stringify({ at: line.at.toISOString(), level: line.level, phase: line.phase, message: line.message }),
            });
          }
          if (d.status !== lastStatus) {
            lastStatus = d.status;
            await stream.writeSSE({ event: 'status', data: JSON.stringify({ status: d.status, message: d.message, errorType: d.errorType }) });
          }
          if (isFinalStatus(d.status)) {
            await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: d.status }) });
            break;
          }
          await stream.sleep(EVENTS_POLL_MS);
        }
      }) as never;
    },
  );
  return app;
}
