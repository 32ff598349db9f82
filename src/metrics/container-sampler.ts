// The worker's view of its apps' containers for Prometheus: every `sampleSeconds` it lists the
// running containers of this Berth instance, reads each one's statistics (one-shot: no second
// sample to wait for) and state from the Docker engine, and keeps the last figures. A scrape
// reads those figures and never waits on Docker. Labels are names, not ids (app, environment),
// plus the replica, or the stack service and its task slot.
import type Docker from 'dockerode';
import { LABEL, labelFilter, replicaOf } from '../domain/labels.js';
import type { Logger } from '../logger.js';

export interface ContainerFigures {
  /** The environment's id (its label), for figures kept per environment. */
  environmentId: string;
  labels: { app: string; environment: string; service: string; replica: string };
  cpuSeconds: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  receiveBytes: number;
  transmitBytes: number;
  restarts: number;
  oomKilled: boolean;
}

/** Containers read from the engine at once: enough to finish 50 within a second, few enough not to crowd deploys. */
const READS_AT_ONCE = 8;

interface OneShotStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; limit?: number; stats?: { inactive_file?: number; total_inactive_file?: number; cache?: number } };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/** Memory as `docker stats` shows it: usage less the page cache the kernel can drop. */
function workingSet(m: OneShotStats['memory_stats']): number {
  const cache = m?.stats?.inactive_file ?? m?.stats?.total_inactive_file ?? m?.stats?.cache ?? 0;
  return Math.max(0, (m?.usage ?? 0) - cache);
}


/** Names of environment ids (db/queries/environment-names.ts in the worker). */
export type EnvironmentNames = (environmentIds: string[]) => Promise<Map<string, { app: string; environment: string }>>;

export function createContainerSampler(deps: { docker: Docker; names: EnvironmentNames; instance: string; log: Logger }) {
  const names = new Map<string, { app: string; environment: string }>();
  let figures: ContainerFigures[] = [];
  let lastSampleSeconds = 0;

  async function resolveNames(environmentIds: string[]): Promise<void> {
    const unknown = [...new Set(environmentIds)].filter((id) => !names.has(id));
    if (!unknown.length) return;
    for (const [id, name] of await deps.names(unknown)) names.set(id, name);
  }

  function nameLabels(labels: Record<string, string>): ContainerFigures['labels'] {
    const envId = labels[LABEL.environment] ?? '';
    const name = names.get(envId) ?? { app: labels[LABEL.app] ?? '', environment: envId };
    return { ...name, service: labels[LABEL.service] ?? '', replica: String(replicaOf(labels) ?? '') };
  }

  /** OOM kills seen in the engine's events, by container labels: a counter (a restart clears the engine's flag). */
  const oomKills = new Map<string, { labels: ContainerFigures['labels']; count: number }>();

  async function read(info: Docker.ContainerInfo): Promise<ContainerFigures | null> {
    const container = deps.docker.getContainer(info.Id);
    try {
      const [stats, inspected] = await Promise.all([
        container.stats({ stream: false, 'one-shot': true } as unknown as { stream: false }) as Promise<OneShotStats>,
        container.inspect(),
      ]);
      const networks = Object.values(stats.networks ?? {});
      return {
        environmentId: info.Labels[LABEL.environment] ?? '',
        labels: nameLabels(info.Labels),
        cpuSeconds: (stats.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9,
        memoryBytes: workingSet(stats.memory_stats),
        memoryLimitBytes: stats.memory_stats?.limit ?? 0,
        receiveBytes: networks.reduce((n, x) => n + (x.rx_bytes ?? 0), 0),
        transmitBytes: networks.reduce((n, x) => n + (x.tx_bytes ?? 0), 0),
        restarts: inspected.RestartCount,
        oomKilled: inspected.State.OOMKilled,
      };
    } catch (err) {
      // Gone between the list and the read (or the engine did not answer): absent from this sample.
      deps.log.debug({ err, container: info.Id.slice(0, 12) }, 'container not sampled');
      return null;
    }
  }

  return {
    /** Reads every running container of this instance once; the figures replace the last ones. */
    async sample(): Promise<void> {
      const started = process.cpuUsage();
      const listed = await deps.docker.listContainers({ filters: { label: labelFilter(deps.instance), status: ['running'] } });
      await resolveNames(listed.map((c) => c.Labels[LABEL.environment] ?? ''));
      const next: ContainerFigures[] = [];
      for (let i = 0; i < listed.length; i += READS_AT_ONCE) {
        for (const f of await Promise.all(listed.slice(i, i + READS_AT_ONCE).map(read))) if (f) next.push(f);
      }
      figures = next;
      const used = process.cpuUsage(started);
      lastSampleSeconds = (used.user + used.system) / 1e6;
      deps.log.debug({ containers: next.length, cpuSeconds: lastSampleSeconds }, 'containers sampled');
    },
    figures: () => figures,
    /** Counts one OOM kill of a container (its labels from the engine's event). */
    async countOomKill(labels: Record<string, string>): Promise<void> {
      await resolveNames([labels[LABEL.environment] ?? '']).catch(() => undefined);
      const l = nameLabels(labels);
      const key = JSON.stringify(l);
      oomKills.set(key, { labels: l, count: (oomKills.get(key)?.count ?? 0) + 1 });
    },
    oomKills: () => [...oomKills.values()],
    /** This process's CPU time spent on the last sample (what sampling costs the worker). */
    lastSampleCpuSeconds: () => lastSampleSeconds,
  };
}

export type ContainerSampler = ReturnType<typeof createContainerSampler>;
