// The Swarm services of a stack: launch one service of a release (create or update it, wait for
// its tasks, probe it when exposed), put one back as the live release has it, prune what the
// live release does not use, tear the whole stack down. Every step is keyed by names derived
// from the environment and the service's spec hash, so a retry or a resumed rollout finds what
// it made and never makes a second one.
import type Docker from 'dockerode';
import type { Db } from '../../db/client.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { getStackRelease, type StackReleaseRow } from '../../db/queries/stacks.js';
import { DEFAULT_HEALTH_CHECK, type HealthCheck } from '../../src/domain/app-spec.js';
import { LABEL, type StackOwner } from '../../src/domain/labels.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import { stackNamespace, type StackService } from '../../src/domain/stack.js';
import { permanentFailure } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { Endpoint } from '../docker/index.js';
import type { HealthActivities } from '../health/index.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordReport } from '../store/deployments.js';
import { stackContents, stackObjectNames, type StackObjects } from './stack-objects.js';
import { createSwarmServices } from './swarm-services.js';
import { waitForTasks } from './task-gate.js';
import { taskServers } from './task-servers.js';

/** How long a service may take to run (and pass its healthcheck) before the rollout fails it. */
export const SERVICE_START_BUDGET_MS = 120_000;
const REMOVE_WAIT_MS = 30_000;

interface Deps {
  docker: Docker;
  db: Db;
  /** Opens the secret variables a release keeps sealed. */
  box: SecretBox;
  log: Logger;
  instance: string;
  objects: StackObjects;
  health: HealthActivities;
}

export interface StackServiceTarget {
  appId: string;
  environmentId: string;
  releaseId: string;
  deploymentId: string;
  service: string;
}

export interface StartedService {
  name: string;
  specHash: string;
  /** Created, updated, or already as this release has it. */
  change: 'created' | 'updated' | 'unchanged';
  phases: PhaseWrite[];
}

export interface GatedService {
  /** Where Traefik reaches an exposed service's replicas. */
  servers: string[];
  phases: PhaseWrite[];
}

/** Berth's HTTP probe of an exposed service's tasks. */
export function stackProbePolicy(path: string): HealthCheck {
  return { ...DEFAULT_HEALTH_CHECK, path, intervalMs: 500, startPeriodMs: 20_000 };
}

export function createStackServices({ docker, db, box, log, instance, objects, health }: Deps) {
  const owner = (appId: string, environmentId: string): StackOwner => ({ instance, appId, environmentId, namespace: stackNamespace(environmentId) });

  async function loadRelease(releaseId: string): Promise<StackReleaseRow> {
    const row = await getStackRelease(db, box, releaseId);
    if (!row) throw permanentFailure('ReleaseNotFound', `stack release ${releaseId} does not exist`);
    return row;
  }

  const swarm = createSwarmServices(docker, instance, objects);
  const stackServices = swarm.list;
  const removeService = swarm.remove;
  const applyService = (target: StackServiceTarget, release: StackReleaseRow) =>
    swarm.apply({ owner: owner(target.appId, target.environmentId), releaseId: target.releaseId, deploymentId: target.deploymentId, service: target.service }, release);

  return {
    /**
     * A service of a release started: created or updated (start-first) until every replica's
     * container of the new spec runs, which is what a dependent's service_started waits for.
     * Records update → start.
     */
    async startStackService(input: StackServiceTarget & { report: PhaseReport }): Promise<StartedService> {
      const advance = (phases: PhaseWrite[]) => recordReport(db, { deploymentId: input.deploymentId, service: input.service, phases });
      await recordReport(db, input.report);
      return withHeartbeat(async (signal) => {
        const release = await loadRelease(input.releaseId);
        const { identity, service, change } = await applyService(input, release);
        const at = Date.now();
        const phases: PhaseWrite[] = [
          { phase: 'update', outcome: 'succeeded', message: `${change} ${identity.name}`, at },
          { phase: 'start', outcome: 'running', at },
        ];
        await advance(phases);
        const budgetMs = SERVICE_START_BUDGET_MS;
        await waitForTasks(docker, { serviceName: identity.name, specHash: identity.specHash, replicas: service.replicas, goal: 'started', budgetMs, signal });
        const done: PhaseWrite = { phase: 'start', outcome: 'succeeded', message: `${service.replicas} container(s) started after ${Date.now() - at} ms`, at: Date.now() };
        await advance([done]);
        return { name: identity.name, specHash: identity.specHash, change, phases: [...phases, done] };
      });
    },

    /**
     * The health gate of a started service: Swarm runs its tasks (after the compose healthcheck
     * passed, when it has one), a one-shot has completed with exit code 0, and an exposed
     * service answers Berth's HTTP probe on every replica. Returns where Traefik reaches it.
     */
    async gateStackService(input: StackServiceTarget & { report: PhaseReport; started: StartedService; completes: boolean }): Promise<GatedService> {
      await recordReport(db, input.report);
      const advance = (phases: PhaseWrite[]) => recordReport(db, { deploymentId: input.deploymentId, service: input.service, phases });
      return withHeartbeat(async (signal) => {
        const release = await loadRelease(input.releaseId);
        const service = release.stack.services[input.service] as StackService;
        const started = Date.now();
        const containerIds = await waitForTasks(docker, {
          serviceName: input.started.name,
          specHash: input.started.specHash,
          replicas: service.replicas,
          goal: input.completes ? 'completed' : 'running',
          budgetMs: SERVICE_START_BUDGET_MS + (service.healthcheck?.startPeriodMs ?? 0),
          signal,
        });
        let servers: string[] = [];
        let message = input.completes ? 'completed with exit code 0' : service.healthcheck ? 'compose healthcheck passed' : 'running (no healthcheck)';
        if (service.expose && !input.completes) {
          const urls = await taskServers(docker, input.started.name, containerIds, service.expose.port, signal);
          const endpoints: Endpoint[] = containerIds.map((id, replica) => ({ containerId: id, replica, url: urls.get(id) as string }));
          await health.waitHealthy({ deploymentId: input.deploymentId, endpoints, check: stackProbePolicy(service.expose.path) });
          servers = endpoints.map((e) => e.url);
          message = `${message}; HTTP ${service.expose.path} healthy`;
        }
        const done: PhaseWrite = { phase: 'health', outcome: 'succeeded', message: `${message} after ${Date.now() - started} ms`, at: Date.now() };
        await advance([done]);
        log.debug({ service: input.started.name }, 'stack service healthy');
        return { servers, phases: [done] };
      });
    },

    /**
     * Puts one service back as the live release runs it (or removes it when the live release
     * has no such service, or there is none), removing any other Swarm service of it.
     */
    async revertStackService(input: { appId: string; environmentId: string; service: string; deploymentId: string; liveReleaseId: string | null }): Promise<string> {
      return withHeartbeat(async (signal) => {
        const namespace = stackNamespace(input.environmentId);
        const live = input.liveReleaseId ? await loadRelease(input.liveReleaseId) : null;
        let keep: string | null = null;
        let note = 'removed';
        if (live?.stack.services[input.service]) {
          const target = { ...input, releaseId: live.releaseId, deploymentId: input.deploymentId };
          const { identity, service, change } = await applyService(target, live);
          keep = identity.name;
          note = `${change === 'unchanged' ? 'kept' : 'restored'} ${identity.name}`;
          if (change !== 'unchanged') {
            await waitForTasks(docker, { serviceName: identity.name, specHash: identity.specHash, replicas: service.replicas, goal: 'running', budgetMs: SERVICE_START_BUDGET_MS, signal }).catch(
              (err: Error) => log.warn({ service: identity.name, err: err.message }, 'reverted service not running yet'),
            );
          }
        }
        for (const s of await stackServices(namespace, { [LABEL.service]: input.service })) if (s.Spec?.Name !== keep) await removeService(s);
        return note;
      });
    },

    /** Removes the stack's services, networks, secrets and configs the live release does not use. */
    async pruneStack(input: { report?: PhaseReport; appId: string; environmentId: string; liveReleaseId: string | null }): Promise<string> {
      if (input.report) await recordReport(db, input.report);
      return withHeartbeat(async () => {
        const o = owner(input.appId, input.environmentId);
        const keep = new Set<string>();
        if (input.liveReleaseId) {
          const live = await loadRelease(input.liveReleaseId);
          const contents = stackContents(live.stack, live.variables);
          const names = stackObjectNames(o.namespace, contents);
          for (const name of swarm.namesOf(o.namespace, live)) keep.add(name);
          for (const n of Object.keys(live.stack.networks)) keep.add(`${o.namespace}_${n}`);
          for (const n of [...Object.values(names.secrets), ...Object.values(names.configs)]) keep.add(n);
        }
        const doomed = (await stackServices(o.namespace)).filter((s) => !keep.has(s.Spec?.Name ?? ''));
        for (const s of doomed) await removeService(s);
        // Networks stay busy until the removed services' containers are gone.
        let result = await objects.removeObjects(o.namespace, keep, { volumes: false });
        const deadline = Date.now() + REMOVE_WAIT_MS;
        while (result.busy.length && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          result = await objects.removeObjects(o.namespace, keep, { volumes: false });
        }
        return `removed ${doomed.length} service(s), ${result.removed.length} network(s)/secret(s)/config(s)${result.busy.length ? `; still in use: ${result.busy.join(', ')}` : ''}`;
      });
    },

    /** Everything the stack owns: services, then (once their containers are gone) networks, secrets, configs, volumes. */
    async teardownStack(input: { report?: PhaseReport; environmentId: string }): Promise<string> {
      if (input.report) await recordReport(db, input.report);
      return withHeartbeat(async () => {
        const namespace = stackNamespace(input.environmentId);
        const services = await stackServices(namespace);
        for (const s of services) await removeService(s);
        const deadline = Date.now() + REMOVE_WAIT_MS;
        const containers = () => docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name`, `${LABEL.stack}=${namespace}`, `${LABEL.instance}=${instance}`] } });
        while ((await containers()).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        let result = await objects.removeObjects(namespace, new Set(), { volumes: true });
        while (result.busy.length && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          result = await objects.removeObjects(namespace, new Set(), { volumes: true });
        }
        if (result.busy.length) throw new Error(`still in use after ${REMOVE_WAIT_MS} ms: ${result.busy.join(', ')}`);
        return `removed ${services.length} service(s), ${result.removed.length} network(s)/secret(s)/config(s)/volume(s)`;
      });
    },
  };
}

export type StackServiceActivities = ReturnType<typeof createStackServices>;
