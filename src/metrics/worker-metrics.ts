// The worker's own /metrics listener (BERTH_WORKER_METRICS_LISTEN, loopback by default): its
// containers' figures sampled from the Docker engine, and its process figures. The worker
// serves them itself rather than pushing them to the API: the samples live where the Docker
// engine is (one worker per host), Prometheus scrapes each host's worker like any exporter, and
// the API stays clear of Docker. A listener that cannot bind is logged, and the worker goes on
// deploying: monitoring is never a reason to stop.
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { ContainerSampler } from './container-sampler.js';
import { registerSnapshot, type Sample } from './snapshot-metric.js';

export interface WorkerMetrics {
  registry: Registry;
  /** The bound address (the listener's port may have been 0). */
  address(): { host: string; port: number } | null;
  stop(): Promise<void>;
}

export function containerRegistry(sampler: ContainerSampler): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const family = (name: string, help: string, type: 'counter' | 'gauge', value: (f: ReturnType<ContainerSampler['figures']>[number]) => number) =>
    registerSnapshot(registry, { name, help, type, samples: (): Sample[] => sampler.figures().map((f) => ({ labels: f.labels, value: value(f) })) });
  family('berth_container_cpu_seconds_total', 'CPU time the container has used.', 'counter', (f) => f.cpuSeconds);
  family('berth_container_memory_bytes', 'Memory the container uses, less reclaimable page cache (as docker stats shows it).', 'gauge', (f) => f.memoryBytes);
  family('berth_container_memory_limit_bytes', "The container's memory limit (the host's memory when it has none).", 'gauge', (f) => f.memoryLimitBytes);
  family('berth_container_network_receive_bytes_total', 'Bytes the container received over its networks.', 'counter', (f) => f.receiveBytes);
  family('berth_container_network_transmit_bytes_total', 'Bytes the container sent over its networks.', 'counter', (f) => f.transmitBytes);
  family('berth_container_restarts_total', 'Times the engine restarted the container (its restart policy).', 'counter', (f) => f.restarts);
  family('berth_container_oom_killed', 'Whether the container was last stopped by the kernel for lack of memory (1) or not (0).', 'gauge', (f) => (f.oomKilled ? 1 : 0));
  registerSnapshot(registry, {
    name: 'berth_container_oom_kills_total',
    help: 'Times the kernel killed a container for going over its memory limit, from the engine\'s events since the worker started.',
    type: 'counter',
    samples: () => sampler.oomKills().map((k) => ({ labels: k.labels, value: k.count })),
  });
  registerSnapshot(registry, {
    name: 'berth_container_sample_cpu_seconds',
    help: "The worker's CPU time spent on its last sample of the containers.",
    type: 'gauge',
    samples: () => [{ labels: {}, value: sampler.lastSampleCpuSeconds() }],
  });
  return registry;
}

/** Serves the sampler's last figures; the worker's sample loop (src/process/sample-loop.ts) keeps them fresh. */
export async function startWorkerMetrics(deps: { listen: { host: string; port: number }; sampler: ContainerSampler; log: Logger }): Promise<WorkerMetrics> {
  const registry = containerRegistry(deps.sampler);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        deps.log.warn({ err }, 'metrics exposition failed');
        res.writeHead(500).end();
      },
    );
  });
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', (err) => {
      deps.log.error({ err, host: deps.listen.host, port: deps.listen.port }, 'worker metrics listener failed; the worker runs on without it');
      resolve(false);
    });
    server.listen(deps.listen.port, deps.listen.host, () => resolve(true));
  });
  return {
    registry,
    address() {
      const a = bound ? server.address() : null;
      return a && typeof a === 'object' ? { host: a.address, port: a.port } : null;
    },
    async stop() {
      if (bound) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
