// Waiting on a Swarm service's tasks: until every replica of one spec (by its hash label) runs
// (with a compose healthcheck, Swarm reports running only once healthy) or, for a one-shot
// service, has completed with exit code 0. Failed tasks of that spec end the wait with the
// reason Swarm gives — except tasks the engine ended by going away (a daemon restart): Swarm
// replaces those by itself once the node is back, and the wait goes on within its budget.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { LABEL } from '../../src/domain/labels.js';
import { permanentFailure } from '../../src/errors.js';

const POLL_MS = 50;
/** Containers are cheap to list (one label-filtered call): dependents wait on this. */
const START_POLL_MS = 25;
/** While waiting for containers to start, Swarm's tasks are checked for failures every this many polls. */
const TASK_CHECK_EVERY = 8;
/** Failed tasks of the new spec that end the wait (Swarm restarts a failing task by itself). */
const FAILED_TASKS_LIMIT = 2;
export const DOCKER_GWBRIDGE = 'docker_gwbridge';

/** started: every replica's container runs (Compose's service_started); running: Swarm runs the task (healthy, with a healthcheck); completed: exited 0. */
export type TaskGoal = 'started' | 'running' | 'completed';

export interface Task {
  ID: string;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Spec?: { ContainerSpec?: { Image?: string; Labels?: Record<string, string> } };
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
  for (let poll = 0; ; poll++) {
    if (wait.signal.aborted) throw wait.signal.reason ?? new Error('cancelled');
    // Waiting for containers to start asks the engine only; Swarm's task list (for failures)
    // every few polls, so five services waiting at once do not slow the engine they wait on.
    if (wait.goal === 'started') {
      const started = await startedContainers(docker, wait);
      if (started.length >= wait.replicas) return started;
      if (poll % TASK_CHECK_EVERY !== 0) {
        await sleep(START_POLL_MS, undefined, { signal: wait.signal }).catch(() => undefined);
        continue;
      }
    }
    const tasks = ((await docker.listTasks({ filters: { service: [wait.serviceName] } })) as Task[]).filter(
      (t) => t.Spec?.ContainerSpec?.Labels?.[LABEL.specHash] === wait.specHash,
    );
    // A task on another node (placed there): its container is not this engine's, and Swarm
    // says it started once the node reports it starting (healthcheck pending) or running.
    if (wait.goal === 'started') {
      const elsewhere = tasks.filter((t) => t.DesiredState === 'running' && ['starting', 'running'].includes(t.Status?.State ?? '')).map((t) => t.Status?.ContainerStatus?.ContainerID ?? '');
      const all = [...new Set([...(await startedContainers(docker, wait)), ...elsewhere.filter(Boolean)])];
      if (all.length >= wait.replicas) return all;
    }
    if (wait.goal !== 'started') {
      const done = tasks.filter((t) => (wait.goal === 'running' ? t.DesiredState === 'running' && t.Status?.State === 'running' : t.Status?.State === 'complete'));
      if (done.length >= wait.replicas) return done.map((t) => t.Status?.ContainerStatus?.ContainerID ?? '').filter(Boolean);
    }
    // A long-running service's task that ended at all has failed (an unhealthy one is shut
    // down and ends "complete"); a one-shot's fails when it exits non-zero.
    // Only tasks made since the spec last changed count: a spec rolled back to may have ended
    // tasks from its earlier life in Swarm's task history.
    const ended = tasks.filter((t) => (wait.goal === 'completed' ? FAILED : ENDED).includes(t.Status?.State ?? ''));
    const service = ended.length ? ((await docker.getService(wait.serviceName).inspect()) as { UpdatedAt?: string; UpdateStatus?: { State?: string } }) : null;
    const since = Date.parse(service?.UpdatedAt ?? '') || 0;
    const back = ended.length ? await nodeBackAt(docker) : 0;
    const failed = ended.filter((t) => Date.parse(t.CreatedAt ?? '') >= since && !endedByEngine(t, back));
    // An update Swarm paused on a failed task starts no other: that failure is final.
    const paused = failed.length > 0 && service?.UpdateStatus?.State === 'paused';
    if (paused || failed.length >= (wait.goal === 'completed' ? 1 : FAILED_TASKS_LIMIT) || failed.some((t) => t.Status?.State === 'rejected')) {
      throw await taskFailure(docker, failed);
    }
    last = tasks.map((t) => t.Status?.State).join(', ') || 'no task yet';
    if (Date.now() > deadline) throw permanentFailure('HealthCheckFailed', `tasks not ${wait.goal} within ${wait.budgetMs} ms (${last})`);
    await sleep(POLL_MS, undefined, { signal: wait.signal }).catch(() => undefined);
  }
}

/** Containers of the spec that run (or, for a one-shot, ran): the engine knows before Swarm reports. */
async function startedContainers(docker: Docker, wait: TaskWait): Promise<string[]> {
  const found = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.swarm.service.name=${wait.serviceName}`, `${LABEL.specHash}=${wait.specHash}`] },
  });
  return found.filter((c) => c.State === 'running' || (c.State === 'exited' && /Exited \(0\)/.test(c.Status))).map((c) => c.Id);
}

/** What Swarm records for a task whose container went with the engine. */
const ENGINE_GONE = /no such container|shutting down|daemon is not running|context canceled|transport is closing/i;

/**
 * A task the engine ended by going away, not the service by failing: its container vanished
 * with the daemon, or it was made before this Swarm node last came back (a restarted node's
 * record is updated when it rejoins; anything that ended across that is the restart's doing).
 */
export function endedByEngine(task: Task, nodeBackAt: number): boolean {
  if (ENGINE_GONE.test(`${task.Status?.Err ?? ''} ${task.Status?.Message ?? ''}`)) return true;
  const created = Date.parse(task.CreatedAt ?? '');
  return nodeBackAt > 0 && Number.isFinite(created) && created < nodeBackAt;
}

/** When this engine's Swarm node last changed state (it came back after a restart), in ms; 0 when unknown. */
export async function nodeBackAt(docker: Docker): Promise<number> {
  try {
    const info = (await docker.info()) as { Swarm?: { NodeID?: string } };
    if (!info.Swarm?.NodeID) return 0;
    const node = (await docker.getNode(info.Swarm.NodeID).inspect()) as { UpdatedAt?: string };
    return Date.parse(node.UpdatedAt ?? '') || 0;
  } catch {
    return 0;
  }
}

const FAILED = ['failed', 'rejected', 'orphaned'];
const ENDED = [...FAILED, 'complete', 'shutdown', 'remove'];

/** Why the tasks failed, from the last one's container: its healthcheck, or its exit. */
async function taskFailure(docker: Docker, failed: Task[]) {
  const task = failed[failed.length - 1] as Task;
  const containerId = task.Status?.ContainerStatus?.ContainerID;
  const info = containerId ? await docker.getContainer(containerId).inspect().catch(() => null) : null;
  const health = (info?.State as { Health?: { Status?: string; Log?: { ExitCode: number; Output: string }[] } } | undefined)?.Health;
  if (health?.Status === 'unhealthy') {
    const last = health.Log?.[health.Log.length - 1];
    const output = last?.Output.trim().slice(0, 200);
    return permanentFailure('HealthCheckFailed', `${failed.length} task(s) unhealthy: healthcheck exited ${last?.ExitCode ?? '?'}${output ? ` (${output})` : ''}`);
  }
  const exit = task.Status?.ContainerStatus?.ExitCode;
  const reason = task.Status?.Err || task.Status?.Message || 'ended';
  return permanentFailure('ContainerFailed', `${failed.length} task(s) failed: ${reason}${exit !== undefined ? ` (exit code ${exit})` : ''}`);
}

/** The error Swarm last recorded against a task of the spec, or null. */
export async function lastTaskError(docker: Docker, serviceName: string, specHash: string): Promise<string | null> {
  const tasks = ((await docker.listTasks({ filters: { service: [serviceName] } })) as Task[]).filter((t) => t.Spec?.ContainerSpec?.Labels?.[LABEL.specHash] === specHash && t.Status?.Err);
  const last = tasks.sort((a, b) => Date.parse(b.CreatedAt ?? '') - Date.parse(a.CreatedAt ?? ''))[0];
  return last?.Status?.Err ?? null;
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
