// Part of a stack's verified "done" (the deploy skeleton's verify for kind stack): what Swarm
// runs is the release. Every long-running service's running tasks of the release's spec were
// made from the image the release pinned (the container's image id equals the pinned image's),
// and there are at least as many as the service has replicas. For an exposed service, it also
// returns where those tasks answer now, so that the routers' check (verify-routers.ts) can ask
// Traefik whether every host name of the service leads to them alone.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { Db } from '../../db/client.js';
import { getStackRelease } from '../../db/queries/stacks.js';
import { LABEL } from '../../src/domain/labels.js';
import type { PhaseReport } from '../../src/domain/phases.js';
import { stackNamespace } from '../../src/domain/stack.js';
import { permanentFailure } from '../../src/errors.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordReport } from '../store/deployments.js';
import type { createHealthActivities } from '../health/index.js';
import { serviceIdentity } from './service-spec.js';
import { stackProbePolicy } from './stack-services.js';
import { stackContents, stackObjectNames } from './stack-objects.js';
import { lastTaskError, nodeBackAt, type Task } from './task-gate.js';
import { taskServers } from './task-servers.js';

/** A Swarm node back this recently had its engine restarted in this deploy's time; its tasks may take this long to run again. */
const ENGINE_BACK_RECENT_MS = 120_000;
const ENGINE_BACK_WAIT_MS = 30_000;

export interface VerifiedService {
  service: string;
  /** Where the service's tasks of the release answer (exposed services), as a route names them. */
  servers: string[];
}

export function createVerifyStack(deps: { db: Db; docker: Docker; box: SecretBox; health: ReturnType<typeof createHealthActivities> }) {
  const { db, docker, box, health } = deps;
  /**
   * `gateFor`: a deployment whose exposed services' tasks must also answer Berth's HTTP probe
   * (tasks Swarm started again after an engine restart may still be booting).
   */
  const nodeId = async () => ((await docker.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID;
  return async function verifyStackRelease(input: { report: PhaseReport; environmentId: string; releaseId: string; gateFor?: string }): Promise<VerifiedService[]> {
    await recordReport(db, input.report);
    return withHeartbeat(async (signal) => {
      const release = await getStackRelease(db, box, input.releaseId);
      if (!release) throw permanentFailure('ReleaseNotFound', `stack release ${input.releaseId} does not exist`);
      const namespace = stackNamespace(input.environmentId);
      const names = stackObjectNames(namespace, stackContents(release.stack, release.variables));
      const plan = release.plan.services;
      const verified: VerifiedService[] = [];
      for (const service of Object.values(release.stack.services)) {
        // A one-shot ran to completion in the rollout; nothing of it runs to compare.
        if (plan[service.name]?.completes || service.replicas === 0) continue;
        const identity = serviceIdentity(namespace, service, service.image, names);
        // Only the engine's 404 means the image is gone; an engine that is restarting (refused
        // connection, 5xx) is retried like any other step, not taken for a missing image.
        const pinned = await docker
          .getImage(service.image)
          .inspect()
          .catch((err: unknown) => ((err as { statusCode?: number }).statusCode === 404 ? null : Promise.reject(err)));
        if (!pinned) throw permanentFailure('ReleaseMismatch', `service ${service.name}: the release's image ${service.image} is not on the host`);
        // The tasks Swarm wants running now, of the release's spec: containers of a removed
        // service of the same name (a rollback to a pruned spec) may still be stopping.
        const runningTasks = async () => {
          const tasks = (await docker.listTasks({ filters: { service: [identity.name], 'desired-state': ['running'] } })) as Task[];
          const current = tasks.filter((t) => t.Status?.State === 'running' && t.Spec?.ContainerSpec?.Labels?.[LABEL.specHash] === identity.specHash && t.Status.ContainerStatus?.ContainerID);
          // A task on another node (placed there): its container is that engine's; what it runs is
          // the task's image, which a release pins by id, so the node ran exactly that image.
          const here = (await nodeId()) ?? '';
          return Promise.all(
            current.map(async (t) => {
              const id = t.Status?.ContainerStatus?.ContainerID as string;
              if (t.NodeID && t.NodeID !== here) return { Id: id, ImageID: t.Spec?.ContainerSpec?.Image === service.image ? pinned.Id : (t.Spec?.ContainerSpec?.Image ?? '?') };
              return { Id: id, ImageID: ((await docker.getContainer(id).inspect()) as { Image: string }).Image };
            }),
          );
        };
        let running = await runningTasks();
        // Just after the engine restarted, Swarm is still starting the tasks it ended: a shortfall
        // then is the restart's, so it is waited out (boundedly) before it counts as a mismatch.
        const until = Date.now() + ENGINE_BACK_WAIT_MS;
        while (running.length < service.replicas && Date.now() < until && Date.now() - (await nodeBackAt(docker)) < ENGINE_BACK_RECENT_MS) {
          await sleep(500, undefined, { signal });
          running = await runningTasks();
        }
        const strangers = running.filter((c) => c.ImageID !== pinned.Id);
        if (strangers.length > 0) {
          const found = [...new Set(strangers.map((c) => c.ImageID.slice(0, 19)))].join(', ');
          throw permanentFailure('ReleaseMismatch', `service ${service.name}: ${strangers.length} task(s) run image ${found}, not the release's ${pinned.Id.slice(0, 19)}`);
        }
        if (running.length < service.replicas) {
          // Swarm's own reason, when it gave one: what the operator has to act on.
          const why = await lastTaskError(docker, identity.name, identity.specHash).catch(() => null);
          throw permanentFailure('ReleaseMismatch', `service ${service.name}: ${running.length} task(s) of release ${release.number} run, it has ${service.replicas} replica(s)${why ? ` (Swarm's last task error: ${why})` : ''}`);
        }
        let servers: string[] = [];
        if (service.expose) {
          const urls = await taskServers(docker, identity.name, running.map((c) => c.Id), service.expose.port, signal);
          servers = running.map((c) => urls.get(c.Id) as string);
          if (input.gateFor) {
            const endpoints = running.map((c, replica) => ({ containerId: c.Id, replica, url: servers[replica] as string }));
            await health.waitHealthy({ deploymentId: input.gateFor, endpoints, check: stackProbePolicy(service.expose.path) });
          }
        }
        verified.push({ service: service.name, servers });
      }
      return verified;
    });
  };
}
