// The worker's runtime watch: what happens to live releases between deploys. Every
// `healthSeconds` it probes each running replica of each live release on this host with the
// release's own health check, and tells the channels when a release loses or regains its health
// (transitions only: src/domain/runtime-health.ts). From the engine's container events it tells
// of OOM kills (and counts them for /metrics) and of restart loops, counted from the restarts
// the engine's restart policy made (a container's RestartCount going up).
//
// The tallies live in the worker's memory: a worker that starts again assumes each live release
// healthy (its deploy's health gate passed), so a release still down then is told about again.
import type Docker from 'dockerode';
import { liveReleases } from '../../db/queries/live-releases.js';
import type { Db } from '../../db/client.js';
import { LABEL, labelFilter, replicaOf } from '../domain/labels.js';
import type { NotificationEventType } from '../domain/notification-events.js';
import { nextHealth, recordRestart, type HealthTally, type RestartHistory, type RestartLoopPolicy } from '../domain/runtime-health.js';
import { probeHttp } from '../http-probe.js';
import type { Logger } from '../logger.js';
import type { ContainerEvent } from './docker-events.js';

/** Emits an environment's event (activities/notify/event-notices.ts `runtime`). */
export type RuntimeNotify = (environmentId: string, type: NotificationEventType, key: string, text: string, extra?: Record<string, string>) => Promise<void>;

export interface RuntimeWatchDeps {
  db: Db;
  docker: Docker;
  instance: string;
  /** Where this host's containers publish their ports (BERTH_HOST_ADDRESS, resolved). */
  publishIp: string;
  healthSeconds: number;
  restartLoop: RestartLoopPolicy;
  notify: RuntimeNotify;
  /** Counts an OOM kill for /metrics, when the worker serves them. */
  countOomKill?: (labels: Record<string, string>) => Promise<void>;
  log: Logger;
}

export interface RuntimeWatch {
  onContainerEvent(event: ContainerEvent): Promise<void>;
  /** One health pass now (the timer runs them too). */
  checkHealth(): Promise<void>;
  stop(): void;
}

/** Probes of one pass at once: enough for 50 replicas in a second, few enough not to crowd deploys. */
const PROBES_AT_ONCE = 8;

export function startRuntimeWatch(deps: RuntimeWatchDeps): RuntimeWatch {
  const { docker, log } = deps;
  const health = new Map<string, HealthTally>();
  const restarts = new Map<string, RestartHistory>();
  const restartCounts = new Map<string, number>();
  /** Each container's last exit (its die event's exit code; a restart clears the engine's own). */
  const lastExit = new Map<string, string>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function checkHealth(): Promise<void> {
    const live = await liveReleases(deps.db);
    if (!live.length) return;
    const running = await docker.listContainers({ filters: { label: labelFilter(deps.instance), status: ['running'] } });
    const byRelease = new Map<string, Docker.ContainerInfo[]>();
    for (const c of running) {
      const release = c.Labels[LABEL.release];
      if (release) byRelease.set(release, [...(byRelease.get(release) ?? []), c]);
    }
    // Only releases with a container on this host: another host's worker watches its own.
    const here = live.filter((r) => byRelease.has(r.releaseId) || health.has(r.environmentId));
    const results = new Map<string, string[]>();
    const probes = here.flatMap((r) =>
      (byRelease.get(r.releaseId) ?? []).map((c) => async () => {
        const port = c.Ports.find((p) => p.PrivatePort === r.port && p.PublicPort)?.PublicPort;
        const replica = replicaOf(c.Labels) ?? '?';
        const probe = port
          ? await probeHttp(`http://${deps.publishIp}:${port}${r.healthCheck.path}`, { timeoutMs: r.healthCheck.timeoutMs, expectedStatus: r.healthCheck.expectedStatus })
          : { ok: false, reason: `publishes no port ${r.port}` };
        if (!probe.ok) results.set(r.environmentId, [...(results.get(r.environmentId) ?? []), `replica ${replica}: ${probe.reason ?? 'failed'}`]);
      }),
    );
    for (let i = 0; i < probes.length; i += PROBES_AT_ONCE) await Promise.all(probes.slice(i, i + PROBES_AT_ONCE).map((p) => p()));
    const at = Date.now();
    for (const r of here) {
      const count = byRelease.get(r.releaseId)?.length ?? 0;
      const failures = results.get(r.environmentId) ?? [];
      if (count === 0) failures.push('no replica running');
      const { tally, transition } = nextHealth(health.get(r.environmentId), { releaseId: r.releaseId, ok: failures.length === 0, at }, r.healthCheck);
      health.set(r.environmentId, tally);
      if (!transition) continue;
      const type = transition === 'lost' ? 'health.lost' : 'health.regained';
      const text =
        transition === 'lost'
          ? `the live release fails its health check (${r.healthCheck.path}): ${failures.join('; ')}`
          : `the live release answers its health check (${r.healthCheck.path}) again on ${count} replica(s)`;
      log.warn({ environmentId: r.environmentId, releaseId: r.releaseId, transition, failures }, 'live release health changed');
      await deps.notify(r.environmentId, type, `${type}:${r.environmentId}:${r.releaseId}:${tally.since}`, text, { releaseId: r.releaseId, path: r.healthCheck.path });
    }
    // Environments no longer live here (removed, or their release gone) are forgotten.
    const liveIds = new Set(here.map((r) => r.environmentId));
    for (const id of [...health.keys()]) if (!liveIds.has(id)) health.delete(id);
  }

  async function restarted(event: ContainerEvent): Promise<void> {
    const info = await docker.getContainer(event.containerId).inspect().catch(() => null);
    if (!info) return;
    const count = info.RestartCount;
    const before = restartCounts.get(event.containerId) ?? 0;
    restartCounts.set(event.containerId, count);
    // Started by Berth (a deploy, reconcile) or by an engine restart: not the restart policy's doing.
    if (count <= before) return;
    const { history, loop } = recordRestart(restarts.get(event.containerId), Date.now(), deps.restartLoop);
    restarts.set(event.containerId, history);
    const environmentId = event.labels[LABEL.environment];
    if (!loop || !environmentId) return;
    const replica = String(replicaOf(event.labels) ?? event.labels[LABEL.service] ?? '?');
    const exit = lastExit.get(event.containerId);
    const last = exit === undefined ? '' : `; last exit code ${exit}${exit === '137' ? ', killed' : ''}`;
    await deps.notify(
      environmentId,
      'container.restart_loop',
      `container.restart_loop:${event.containerId}:${count}`,
      `replica ${replica} restarted ${history.restarts.length} times within ${Math.round(deps.restartLoop.windowMs / 1000)} s (${count} in all${last})`,
      { container: info.Name.replace(/^\//, ''), replica, restarts: String(count), releaseId: event.labels[LABEL.release] ?? '' },
    );
  }

  async function oomKilled(event: ContainerEvent): Promise<void> {
    await deps.countOomKill?.(event.labels);
    const environmentId = event.labels[LABEL.environment];
    if (!environmentId) return;
    const replica = String(replicaOf(event.labels) ?? event.labels[LABEL.service] ?? '?');
    await deps.notify(
      environmentId,
      'container.oom_killed',
      `container.oom_killed:${event.containerId}:${event.timeNano}`,
      `replica ${replica} went over its memory limit and the kernel killed it`,
      { container: event.labels.name ?? event.containerId.slice(0, 12), replica, releaseId: event.labels[LABEL.release] ?? '' },
    );
  }

  const loop = () => {
    if (stopped) return;
    checkHealth()
      .catch((err: unknown) => log.warn({ err }, 'health watch pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, deps.healthSeconds * 1000);
      });
  };
  if (deps.healthSeconds > 0) timer = setTimeout(loop, deps.healthSeconds * 1000);

  return {
    async onContainerEvent(event) {
      if (event.event === 'oom') await oomKilled(event);
      else if (event.event === 'die') lastExit.set(event.containerId, event.labels.exitCode ?? '?');
      else if (event.event === 'start') await restarted(event);
      else if (event.event === 'destroy') {
        restarts.delete(event.containerId);
        restartCounts.delete(event.containerId);
        lastExit.delete(event.containerId);
      }
    },
    checkHealth,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
