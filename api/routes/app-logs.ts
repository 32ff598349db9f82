// An environment's app logs: the running containers' stdout and stderr from the Docker engine
// (api/logs/container-logs.ts), for a time range as JSON or live as Server-Sent Events,
// filtered by text, regular expression, replica or service. Members who may read the app's
// project may read its logs.
import { z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { defineRoute } from '../access/access-spec.js';
import { compileLogPattern, lineFilter } from '../../src/domain/log-frames.js';
import type { AppDeps } from '../deps.js';
import { invalid } from '../errors.js';
import { followLogs, logSources, readLogRange } from '../logs/container-logs.js';
import { newRouter } from '../router.js';
import { AppLogLine, AppLogs, LogRangeQuery, LogStreamQuery, parseMoment } from '../schemas/app-logs.js';
import { errorResponses, json } from '../schemas/common.js';
import { EnvParam, findEnvironment } from './environments.js';

/** A stream never outlives this; the client reconnects with since= if it wants more. */
export const LOG_STREAM_MAX_MS = 60 * 60 * 1000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

type Selection = z.infer<typeof LogStreamQuery> & { until?: string | undefined };

function filterOf(q: Selection) {
  const match = q.match === undefined ? undefined : compileLogPattern(q.match);
  return lineFilter({ contains: q.contains, match: match instanceof RegExp ? match : undefined });
}

function timesOf(q: Selection) {
  const since = q.since ? (parseMoment(q.since) ?? undefined) : undefined;
  const until = q.until ? (parseMoment(q.until) ?? undefined) : undefined;
  if (since && until && since >= until) throw invalid('since must be before until', [{ path: 'since', message: 'not before until' }]);
  return { since, until };
}

export function appLogRoutes({ db, docker, config }: AppDeps) {
  const app = newRouter();
  app.openAPIRegistry.register('AppLogLine', AppLogLine);

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/environments/{env}/logs',
      access: { need: 'read', on: 'param.app' },
      tags: ['environments'],
      summary: "The environment's app logs for a time range",
      description: "Every running replica's (a stack's every service's) stdout and stderr, as the Docker engine keeps them, oldest first.",
      request: { params: EnvParam, query: LogRangeQuery },
      responses: { 200: json(AppLogs, 'Log lines'), ...errorResponses },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const q = c.req.valid('query');
      const times = timesOf(q);
      const sources = await logSources(docker, config.instance, env.id, q);
      const filtered = q.contains !== undefined || q.match !== undefined;
      const { lines, truncated } = await readLogRange(docker, sources, { ...times, tail: q.tail, filtered }, filterOf(q));
      return c.json({ items: lines, truncated }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/environments/{env}/logs/stream',
      access: { need: 'read', on: 'param.app' },
      tags: ['environments'],
      summary: "The environment's app logs, live (Server-Sent Events)",
      description:
        'event: line (data: AppLogLine) for each line, the last `tail` first; event: end when every followed container has stopped. Follows the containers running when the stream starts; a new deployment’s containers need a new stream.',
      request: { params: EnvParam, query: LogStreamQuery },
      responses: {
        200: {
          description: 'event: line | end; data: JSON',
          content: { 'text/event-stream': { schema: z.object({ event: z.enum(['line', 'end']), data: z.string().openapi({ description: 'JSON' }) }).openapi('AppLogEvent') } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const q = c.req.valid('query');
      const { since } = timesOf(q);
      const sources = await logSources(docker, config.instance, env.id, q);
      return streamSSE(c, async (stream) => {
        const abort = new AbortController();
        stream.onAbort(() => abort.abort());
        const deadline = setTimeout(() => abort.abort(), LOG_STREAM_MAX_MS);
        const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(() => abort.abort()), KEEPALIVE_MS);
        try {
          const filtered = q.contains !== undefined || q.match !== undefined;
          await followLogs(docker, sources, { since, tail: q.tail, filtered, signal: abort.signal }, filterOf(q), (line) =>
            stream.writeSSE({ event: 'line', data: JSON.stringify(line) }),
          );
          if (!abort.signal.aborted) await stream.writeSSE({ event: 'end', data: '{}' });
        } finally {
          clearTimeout(deadline);
          clearInterval(keepalive);
        }
      }) as never;
    },
  );
  return app;
}
