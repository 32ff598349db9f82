// The worker's sampling loop: every BERTH_CONTAINER_SAMPLE_SECONDS the container sampler reads
// the engine (its figures serve /metrics), then one row per environment running here is kept
// for the environment page's charts, with Traefik's counters for the environment's service.
// Runs whether or not the worker serves /metrics: the charts need no Prometheus.
import { recordEnvironmentSamples, type EnvironmentSample } from '../../db/queries/environment-samples.js';
import type { Db } from '../../db/client.js';
import { environmentNames } from '../../db/queries/environment-names.js';
import { routeName } from '../domain/route.js';
import type { Logger } from '../logger.js';
import type { ContainerSampler } from '../metrics/container-sampler.js';
import { bucketsRecord } from '../metrics/environment-series.js';
import { allServiceCounters, readTraefikMetrics } from '../metrics/traefik-counters.js';

export interface SampleLoop {
  stop(): void;
}

export function startSampleLoop(deps: { db: Db; sampler: ContainerSampler; seconds: number; traefikApiUrl: string; log: Logger }): SampleLoop {
  const { sampler, log } = deps;

  async function pass(): Promise<void> {
    await sampler.sample();
    const byEnvironment = new Map<string, { cpu: number; memory: number; containers: number }>();
    for (const f of sampler.figures()) {
      if (!f.environmentId) continue;
      const e = byEnvironment.get(f.environmentId) ?? { cpu: 0, memory: 0, containers: 0 };
      byEnvironment.set(f.environmentId, { cpu: e.cpu + f.cpuSeconds, memory: e.memory + f.memoryBytes, containers: e.containers + 1 });
    }
    if (!byEnvironment.size) return;
    // An environment removed while its containers stop has no row to keep samples for.
    const known = await environmentNames(deps.db, [...byEnvironment.keys()]);
    const text = await readTraefikMetrics(deps.traefikApiUrl);
    const services = text ? allServiceCounters(text) : new Map();
    const at = new Date();
    const rows: EnvironmentSample[] = [...byEnvironment].filter(([id]) => known.has(id)).map(([environmentId, e]) => {
      const c = services.get(`${routeName(environmentId)}@file`);
      return { environmentId, at, requests: c?.requests ?? 0, errors: c?.errors ?? 0, buckets: c ? bucketsRecord(c.buckets) : {}, cpuSeconds: e.cpu, memoryBytes: e.memory, containers: e.containers };
    });
    await recordEnvironmentSamples(deps.db, rows);
  }

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const loop = () => {
    if (stopped) return;
    pass()
      .catch((err: unknown) => log.warn({ err }, 'container sample failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, deps.seconds * 1000);
      });
  };
  loop();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
