// Waiting on a Swarm service's tasks: until every replica of one spec (by its hash label) runs
// (with a compose healthcheck, Swarm reports running only once healthy) or, for a one-shot
// service, has completed with exit code 0. Failed tasks of that spec end the wait with the
// reason Swarm gives.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { LABEL } from '../../src/domain/labels.js';
import { permanentFailure } from '../../src/errors.js';

const POLL_MS = 50;
/** Failed tasks of the new spec that end the wait (Swarm restarts a failing task by itself). */
const FAILED_TASKS_LIMIT = 2;
export const DOCKER_GWBRIDGE = 'docker_gwbridge';

export type TaskGoal = 'running' | 'completed';

interface Task {
  ID: string;
  DesiredState?: string;
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } };
  Status?: { State?: string; Err?: string; Message?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}

export interface TaskWait {
  serviceName: string;
  specHash: string;
  replicas: number;
  goal: TaskGoal;
  budgetMs: number;
  signal: AbortSignal;
}

/** Resolves with the container ids of the running (or completed) tasks. */
export async function waitForTasks(docker: Docker, wait: TaskWait): Promise<string[]> {
  const deadline = Date.now() + wait.budgetMs;
  let last = 'no task yet';
  for (;;) {
    if (wait.signal.aborted) throw wait.signal.reason ?? new Error('cancelled');
    const tasks = ((await docker.listTasks({ filters: { service: [wait.serviceName] } })) as Task[]).filter(
      (t) => t.Spec?.ContainerSpec?.Labels?.[LABEL.specHash] === wait.specHash,
    );
    const done = tasks.filter((t) => (wait.goal === 'running' ? t.DesiredState === 'running' && t.Status?.State === 'running' : t.Status?.State === 'complete'));
    if (done.length >= wait.replicas) return done.map((t) => t.Status?.ContainerStatus?.ContainerID ?? '').filter(Boolean);
    const failed = tasks.filter((t) => ['failed', 'rejected'].includes(t.Status?.State ?? ''));
    const oneShot = wait.goal === 'completed';
    if (failed.length >= (oneShot ? 1 : FAILED_TASKS_LIMIT) || failed.some((t) => t.Status?.State === 'rejected')) {
      const reason = failed.map((t) => t.Status?.Err || t.Status?.Message).find(Boolean) ?? 'task failed';
      const unhealthy = /unhealthy/i.test(reason);
      throw permanentFailure(unhealthy ? 'HealthCheckFailed' : 'ContainerFailed', `${failed.length} task(s) failed: ${unhealthy ? 'unhealthy (its healthcheck failed)' : reason}`);
    }
    last = tasks.map((t) => t.Status?.State).join(', ') || 'no task yet';
    if (Date.now() > deadline) throw permanentFailure('HealthCheckFailed', `tasks not ${wait.goal} within ${wait.budgetMs} ms (${last})`);
    await sleep(POLL_MS, undefined, { signal: wait.signal }).catch(() => undefined);
  }
}

/**
 * Where the host reaches each task container: its address on docker_gwbridge, the bridge that
 * connects Swarm containers to their host. Nothing is published on any host interface.
 */
export async function taskAddresses(docker: Docker, containerIds: string[], signal: AbortSignal): Promise<Map<string, string>> {
  for (let i = 0; ; i++) {
    const info = (await docker.getNetwork(DOCKER_GWBRIDGE).inspect()) as { Containers?: Record<string, { IPv4Address?: string }> };
    const found = new Map<string, string>();
    for (const id of containerIds) {
      const ip = info.Containers?.[id]?.IPv4Address?.split('/')[0];
      if (ip) found.set(id, ip);
    }
    if (found.size === containerIds.length) return found;
    // The endpoint appears a moment after the task runs.
    if (i >= 100 || signal.aborted) throw permanentFailure('ContainerFailed', `task containers have no address on ${DOCKER_GWBRIDGE}`);
    await sleep(POLL_MS);
  }
}
