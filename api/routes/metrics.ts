// GET /metrics: Prometheus text exposition of what api/metrics/api-metrics.ts gathers.
import { Hono } from 'hono';
import type { AppEnv } from '../deps.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';

export function metricsRoutes(metrics: ApiMetrics) {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) => c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));
  return app;
}
