// Settings of what Berth exposes to Prometheus, read with the rest of the environment by
// config.ts: how often the API re-reads its database figures, where the worker and the Temporal
// SDK serve theirs, and how often containers are sampled.
import { z } from 'zod';
import type { MetricsConfig } from './config-shape.js';
import { listenAddress } from './host-addresses.js';

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'expected host:port');

export const metricsEnv = {
  BERTH_METRICS_REFRESH_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(0).max(600_000).default(10_000),
  BERTH_WORKER_METRICS_LISTEN: z.union([z.literal('off'), hostPort]).default('127.0.0.1:7485'),
  BERTH_TEMPORAL_METRICS_LISTEN: z.union([z.literal('off'), hostPort]).default('127.0.0.1:7486'),
  BERTH_CONTAINER_SAMPLE_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(1).max(3600).default(15),
};

type Env = { [K in keyof typeof metricsEnv]: z.output<(typeof metricsEnv)[K]> };

export function metricsConfig(e: Env): { metrics: MetricsConfig } {
  return {
    metrics: {
      refreshMs: e.BERTH_METRICS_REFRESH_MS,
      sampleSeconds: e.BERTH_CONTAINER_SAMPLE_SECONDS,
      workerListen: listenAddress(e.BERTH_WORKER_METRICS_LISTEN),
      temporalListen: e.BERTH_TEMPORAL_METRICS_LISTEN === 'off' ? null : e.BERTH_TEMPORAL_METRICS_LISTEN,
    },
  };
}
