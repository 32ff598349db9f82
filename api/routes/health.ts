// /healthz: each dependency checked on its own, so a failure names the one that is down.
import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps, Probe } from '../deps.js';
import { newRouter } from '../router.js';

export const PROBE_TIMEOUT_MS = 2000;

const Check = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() });
const Health = z
  .object({ ok: z.boolean(), checks: z.object({ database: Check, temporal: Check, docker: Check, traefik: Check }) })
  .openapi('Health');

async function run(probe: Probe) {
  const started = performance.now();
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS).unref()),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (err as Error).message || String(err) };
  }
}

export function healthRoutes({ probes }: AppDeps) {
  const app = newRouter();
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/healthz',
      access: { public: 'liveness for load balancers and supervisors; names only which dependency is down' },
      tags: ['health'],
      responses: {
        200: { description: 'Every dependency answers', content: { 'application/json': { schema: Health } } },
        503: { description: 'At least one does not', content: { 'application/json': { schema: Health } } },
      },
    }),
    async (c) => {
      const [database, temporal, docker, traefik] = await Promise.all([
        run(probes.database),
        run(probes.temporal),
        run(probes.docker),
        run(probes.traefik),
      ]);
      const checks = { database, temporal, docker, traefik };
      const ok = Object.values(checks).every((x) => x.ok);
      return c.json({ ok, checks }, ok ? 200 : 503);
    },
  );
  return app;
}
