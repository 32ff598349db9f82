// Live progress of one deployment as Server-Sent Events: `phase` when a phase (or a stack
// service's phase) starts or ends, `log` for each log line, `status` when the status changes,
// then `end` once it is final. The database is the source, polled while the stream is open, so
// any API process can serve any deployment. Log events carry their line's id as the event id:
// a client that reconnects with Last-Event-ID gets only the lines after it.
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
import { EVENT_DATA_SCHEMAS, type EndEvent, type LogEvent, type PhaseEvent, type StatusEvent } from '../schemas/deployment-events.js';

export const EVENTS_POLL_MS = 150;
/** A stream never outlives this, whatever the deployment does. */
export const EVENTS_MAX_MS = 60 * 60 * 1000;

export function deploymentEvents({ db }: AppDeps) {
  const app = newRouter();
  for (const [name, schema] of Object.entries(EVENT_DATA_SCHEMAS)) app.openAPIRegistry.register(name, schema);
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/deployments/{id}/events',
      access: { need: 'read', on: 'param.deployment' },
      tags: ['deployments'],
      summary: 'Live progress (Server-Sent Events)',
      description:
        'event: phase (data: DeploymentPhaseEvent), log (DeploymentLogEvent; the event id is the line id), status (DeploymentStatusEvent), end (DeploymentEndEvent). Reconnect with Last-Event-ID to get only the log lines after it; phases and status are sent again.',
      request: {
        params: z.object({ id: Id }),
        headers: z.object({ 'last-event-id': z.string().regex(/^\d{1,15}$/, 'a log line id').optional() }),
      },
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
      const resumeAfter = Number(c.req.valid('header')['last-event-id'] ?? 0);
      return streamSSE(c, async (stream) => {
        const seenPhases = new Map<string, string>();
        let lastLog = resumeAfter;
        let lastStatus = '';
        const deadline = Date.now() + EVENTS_MAX_MS;
        let closed = false;
        stream.onAbort(() => {
          closed = true;
        });
        while (!closed && Date.now() < deadline) {
          const d = await getDeployment(db, id);
          if (!d) break;
          for (const p of [...d.phases.map((row) => ({ row, service: null })), ...d.servicePhases.map((row) => ({ row, service: row.service }))]) {
            const name = `${p.service ?? ''}/${p.row.phase}`;
            const key = `${p.row.outcome}|${p.row.endedAt?.toISOString() ?? ''}|${p.row.message ?? ''}`;
            if (seenPhases.get(name) !== key) {
              seenPhases.set(name, key);
              const data: PhaseEvent = { ...presentPhase(p.row), service: p.service };
              await stream.writeSSE({ event: 'phase', data: JSON.stringify(data) });
            }
          }
          for (const line of await logsAfter(db, id, lastLog)) {
            lastLog = line.id;
            const data: LogEvent = { id: line.id, at: line.at.toISOString(), level: line.level, phase: line.phase, message: line.message };
            await stream.writeSSE({ event: 'log', id: String(line.id), data: JSON.stringify(data) });
          }
          if (d.status !== lastStatus) {
            lastStatus = d.status;
            const data: StatusEvent = { status: d.status, message: d.message, errorType: d.errorType };
            await stream.writeSSE({ event: 'status', data: JSON.stringify(data) });
          }
          if (isFinalStatus(d.status)) {
            const data: EndEvent = { status: d.status };
            await stream.writeSSE({ event: 'end', data: JSON.stringify(data) });
            break;
          }
          await stream.sleep(EVENTS_POLL_MS);
        }
      }) as never;
    },
  );
  return app;
}
