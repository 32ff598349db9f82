// The API's own traffic for Prometheus: requests by route template (never the raw path, whose
// ids would make a series per resource), method and status class, and their latency.
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AppEnv } from '../deps.js';

/** Seconds: most answers take milliseconds, an archive upload or a long query seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABELS = ['route', 'method', 'status_class'] as const;

/** The matched handler's path template (`/api/v1/apps/:app`); requests no route took share one label. */
function routeTemplate(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const handlers = matchedRoutes(c).filter((r) => r.method !== 'ALL');
  return handlers.at(-1)?.path ?? '(unmatched)';
}

export function httpMetrics(registry: Registry): MiddlewareHandler<AppEnv> {
  const requests = new Counter({ name: 'berth_http_requests_total', help: 'API requests answered, by route template, method and status class.', labelNames: LABELS, registers: [registry] });
  const latency = new Histogram({ name: 'berth_http_request_duration_seconds', help: 'Time to answer an API request (for a stream: until it starts).', labelNames: LABELS, buckets: LATENCY_BUCKETS, registers: [registry] });
  return async function recordHttpMetrics(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const labels = { route: routeTemplate(c), method: c.req.method, status_class: `${Math.floor(c.res.status / 100)}xx` };
      requests.inc(labels);
      latency.observe(labels, (performance.now() - started) / 1000);
    }
  };
}
