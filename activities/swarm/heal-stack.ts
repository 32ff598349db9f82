// Reconcile of a stack's live release on its host. Every service of the release exists in Swarm
// as the release has it: one removed, re-imaged or scaled behind Berth's back is put back. And
// every exposed service gets the servers its route should have now: Swarm replaces a task that
// dies with one at another address, and a route to the old address points at nothing. Only
// tasks of the release's spec that run and answer Berth's probe are routed to.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { Db } from '../../db/client.js';
import { getStackRelease } from '../../db/queries/stacks.js';
import { LABEL } from '../../src/domain/labels.js';
import { serviceHosts, serviceRouteKey, stackNamespace, type StackService } from '../../src/domain/stack.js';
import { permanentFailure } from '../../src/errors.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { probeHttp } from '../../src/http-probe.js';
import { withHeartbeat } from '../heartbeat.js';
import { deploymentUnderWay } from '../store/still-live.js';
import type { StackObjects } from './stack-objects.js';
import { createSwarmServices } from './swarm-services.js';
import { localNodeId, taskServers } from './task-servers.js';

/** How long a pass waits for a task of a service with none running (its restart delay, then the start). */
export const TASKS_WAIT_MS = 5_000;
/** How long a replacement task may take to answer Berth's probe before it is left out. */
const PROBE_BUDGET_MS = 3_000;
const POLL_MS = 50;

export interface StackHealInput {
  appId: string;
  environmentId: string;
  releaseId: string;
  deploymentId: string;
  /** The environment's host names (exposed services answer on names derived from them). */
  hosts: string[];
}

export interface StackHealAction {
  service: string;
  drift: 'service-missing' | 'service-drifted' | 'service-down' | 'service-stray';
  action: 'service-created' | 'service-updated' | 'service-removed' | 'none';
  outcome: 'done' | 'failed';
  detail: string;
}

/** Where an exposed service's route should send traffic now. */
export interface StackRoute {
  service: string;
  routeKey: string;
  hosts: string[];
  servers: string[];
}

export interface HealedStack {
  actions: StackHealAction[];
  routes: StackRoute[];
}

interface Task {
  NodeID?: string;
  Status?: { State?: string; ContainerStatus?: { ContainerID?: string } };
  Spec?: { ContainerSpec?: { Image?: string; Labels?: Record<string, string> } };
}

interface Deps {
  docker: Docker;
  db: Db;
  /** Opens the release's secret variables: a service put back gets its secrets as the rollout made them. */
  box: SecretBox;
  instance: string;
  objects: StackObjects;
}

export function createHealStack({ docker, db, box, instance, objects }: Deps) {
  const swarm = createSwarmServices(docker, instance, objects);

  /**
   * Containers of this service's tasks that run the release's spec now (its image, its spec
   * hash); when none does, what does once one does (or the wait is over). A replacement that
   * starts later brings another pass (its container's start event). Swarm's tasks say which spec
   * a container runs (a task put back from a changed image is the release's only once Swarm has
   * replaced it); the engine says whether it still runs (a task whose container was just killed
   * is "running" in Swarm's list for a moment).
   */
  async function runningTasks(serviceName: string, specHash: string, image: string, signal: AbortSignal): Promise<string[]> {
    const deadline = Date.now() + TASKS_WAIT_MS;
    const here = await localNodeId(docker);
    for (;;) {
      const tasks = (await docker.listTasks({ filters: { service: [serviceName], 'desired-state': ['running'] } })) as Task[];
      const current = tasks.filter((t) => t.Status?.State === 'running' && t.Spec?.ContainerSpec?.Image === image && t.Spec.ContainerSpec.Labels?.[LABEL.specHash] === specHash);
      const released = new Set(current.map((t) => t.Status?.ContainerStatus?.ContainerID));
      // A task on another host's node: that engine's container; Swarm's word that it runs is
      // what there is here (the probe then checks it answers).
      const elsewhere = current.filter((t) => here && t.NodeID && t.NodeID !== here).map((t) => t.Status?.ContainerStatus?.ContainerID ?? '').filter(Boolean);
      const running = (await docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${serviceName}`], status: ['running'] } }))
        .map((c) => c.Id)
        .filter((id) => released.has(id))
        .concat(elsewhere);
      if (running.length > 0 || Date.now() > deadline || signal.aborted) return running;
      await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** The servers of `urls` that answer the probe, each given until the budget is spent. */
  async function answering(urls: string[], path: string, signal: AbortSignal): Promise<string[]> {
    const deadline = Date.now() + PROBE_BUDGET_MS;
    const ok = await Promise.all(
      urls.map(async (url) => {
        while (!signal.aborted) {
          if ((await probeHttp(`${url}${path}`, { timeoutMs: 1000, expectedStatus: 200, signal })).ok) return true;
          if (Date.now() > deadline) return false;
          await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
        }
        return false;
      }),
    );
    return urls.filter((_, i) => ok[i]);
  }

  async function servers(serviceName: string, specHash: string, service: StackService, signal: AbortSignal): Promise<string[]> {
    const expose = service.expose as NonNullable<StackService['expose']>;
    const containers = await runningTasks(serviceName, specHash, service.image, signal);
    if (containers.length === 0) return [];
    const urls = await taskServers(docker, serviceName, containers, expose.port, signal);
    return answering(
      containers.map((id) => urls.get(id) as string),
      expose.path,
      signal,
    );
  }

  /** A deployment of the environment queued or running since reconcile looked (a rollout, a teardown) owns the stack. */
  const taken = (environmentId: string) => deploymentUnderWay(db, environmentId);

  return async function healStack(input: StackHealInput): Promise<HealedStack> {
    return withHeartbeat(async (signal) => {
      const release = await getStackRelease(db, box, input.releaseId);
      if (!release) throw permanentFailure('ReleaseNotFound', `stack release ${input.releaseId} does not exist`);
      const owner = { instance, appId: input.appId, environmentId: input.environmentId, namespace: stackNamespace(input.environmentId) };
      const healed: HealedStack = { actions: [], routes: [] };
      for (const service of Object.values(release.stack.services)) {
        const act = (a: Omit<StackHealAction, 'service'>) => healed.actions.push({ service: service.name, ...a });
        if (await taken(input.environmentId)) return { actions: [], routes: [] };
        try {
          const applied = await swarm.apply({ owner, releaseId: input.releaseId, deploymentId: input.deploymentId, service: service.name }, release);
          if (applied.change === 'created') act({ drift: 'service-missing', action: 'service-created', outcome: 'done', detail: applied.identity.name });
          if (applied.change === 'updated') act({ drift: 'service-drifted', action: 'service-updated', outcome: 'done', detail: applied.identity.name });
          if (!service.expose) continue;
          const found = await servers(applied.identity.name, applied.identity.specHash, service, signal);
          if (found.length === 0) {
            act({ drift: 'service-down', action: 'none', outcome: 'failed', detail: `no task of ${applied.identity.name} answers yet; its route is left as it is` });
            continue;
          }
          healed.routes.push({
            service: service.name,
            routeKey: serviceRouteKey(input.environmentId, service.name),
            hosts: serviceHosts(service.name, service.expose, input.hosts),
            servers: found,
          });
        } catch (err) {
          act({ drift: 'service-drifted', action: 'none', outcome: 'failed', detail: (err as Error).message });
        }
      }
      // A service the live release does not have: the other colour of a rollout whose prune
      // or revert was cut short (the engine restarted under it). No deployment runs that could
      // own it: a rollout in flight makes its service only once it holds the environment.
      const keep = swarm.namesOf(owner.namespace, release);
      for (const stray of await swarm.list(owner.namespace)) {
        const name = stray.Spec?.Name ?? stray.ID;
        if (keep.has(name)) continue;
        if (await taken(input.environmentId)) return { actions: [], routes: [] };
        await swarm.remove(stray);
        healed.actions.push({ service: stray.Spec?.Labels?.[LABEL.service] ?? name, drift: 'service-stray', action: 'service-removed', outcome: 'done', detail: name });
      }
      return (await taken(input.environmentId)) ? { actions: [], routes: [] } : healed;
    });
  };
}
