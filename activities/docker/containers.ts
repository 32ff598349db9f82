// Containers of a release: get-or-create keyed by the deployment id, start, stop, remove.
// Every call filters by Berth's labels, so nothing Berth did not create is ever touched.
import type Docker from 'dockerode';
import type { Db } from '../../db/client.js';
import { openReleaseVariables } from '../../db/queries/release-variables.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { eq } from 'drizzle-orm';
import { getRelease, type ReleaseRow } from '../../db/queries/releases.js';
import { environments } from '../../db/schema/index.js';
import { containerLabels, containerName, LABEL, labelFilter } from '../../src/domain/labels.js';
import { DEFAULT_LOG_DRIVER } from '../../src/domain/app-spec.js';
import type { PhaseReport } from '../../src/domain/phases.js';
import { permanentFailure } from '../../src/errors.js';
import { recordReport } from '../store/deployments.js';
import type { Logger } from '../../src/logger.js';
import { withHeartbeat } from '../heartbeat.js';
import { isConflict, isNotFound, tolerate } from './docker-errors.js';
import { confirmEngineHere, EngineAwayError, isLeftoverTask } from './engine-away.js';

export interface Endpoint {
  containerId: string;
  replica: number;
  /** Where the replica answers, at its host's address, e.g. http://127.0.0.1:32768 */
  url: string;
  /**
   * The container's start as seen when it was started: a later start with no restart of its own
   * policy counted is the engine's doing (a daemon restart), which may publish it elsewhere.
   */
  started?: { at: string; restarts: number };
}

export interface ContainerSummary {
  id: string;
  name: string;
  environmentId: string;
  releaseId: string;
  deploymentId: string;
  replica: number;
  state: string;
  /** The image the container runs (sha256:…). */
  imageId: string;
}

interface Deps {
  docker: Docker;
  /** The engine's socket, asked directly whether the engine is still there before a verdict. */
  socketPath: string;
  db: Db;
  /** Opens the secret variables a release keeps sealed. */
  box: SecretBox;
  log: Logger;
  instance: string;
  /** The IPv4 address of this host that containers publish on and Traefik reaches (BERTH_HOST_ADDRESS). */
  publishIp: string;
}

export function createContainerActivities({ docker, socketPath, db, box, log, instance, publishIp }: Deps) {
  async function list(extra: Record<string, string>): Promise<ContainerSummary[]> {
    const found = await docker.listContainers({ all: true, filters: { label: labelFilter(instance, extra) } });
    // A stack's task containers are Swarm's: it restarts and replaces them, Berth changes their services.
    return found.filter((c) => c.Labels[LABEL.stack] === undefined).map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      environmentId: c.Labels[LABEL.environment] ?? '',
      releaseId: c.Labels[LABEL.release] ?? '',
      deploymentId: c.Labels[LABEL.deployment] ?? '',
      replica: Number(c.Labels[LABEL.replica] ?? 0),
      state: c.State,
      imageId: c.ImageID,
    }));
  }

  /**
   * Creates the container, or finds it when a retry made it already: created first, as nearly
   * always nothing of that name exists (one Docker round trip on every deploy's path, not two).
   */
  async function getOrCreate(name: string, spec: Docker.ContainerCreateOptions, deploymentId: string): Promise<string> {
    try {
      return (await docker.createContainer(spec)).id;
    } catch (err) {
      if (isNotFound(err)) throw permanentFailure('ImageNotFound', `image ${String(spec.Image)} is not present`);
      if (!isConflict(err)) throw err;
    }
    // The name is taken: this deployment's own container (an earlier attempt, or a concurrent retry that won), or not.
    const existing = await docker.getContainer(name).inspect();
    if (existing.Config.Labels?.[LABEL.deployment] !== deploymentId || existing.Config.Labels?.[LABEL.instance] !== instance) {
      throw permanentFailure('Conflict', `a container named ${name} exists and is not this deployment's`);
    }
    return existing.Id;
  }

  async function stop(id: string, timeoutSeconds: number): Promise<void> {
    await tolerate(() => docker.getContainer(id).stop({ t: timeoutSeconds }), { gone: true });
  }

  return {
    /** Creates (or finds, on a retry) one container per replica of the release, or only the replicas named. */
    async createContainers(input: {
      deploymentId: string;
      appId: string;
      environmentId: string;
      releaseId: string;
      replicas?: number[];
      /** The release's row when the caller in this process has it (the launch): not read again. */
      release?: ReleaseRow;
    }): Promise<string[]> {
      const release = input.release ?? (await getRelease(db, input.releaseId));
      if (!release) throw permanentFailure('ReleaseNotFound', `release ${input.releaseId} does not exist`);
      const { config } = release;
      const port = `${config.port}/tcp`;
      const env = Object.entries(openReleaseVariables(box, release)).map(([k, v]) => `${k}=${v}`);
      const ids: string[] = [];
      const replicas = input.replicas ?? Array.from({ length: config.replicas }, (_, i) => i);
      for (const replica of replicas) {
        const name = containerName(input.deploymentId, replica);
        const labels = containerLabels({ instance, appId: input.appId, environmentId: input.environmentId, releaseId: input.releaseId, deploymentId: input.deploymentId }, replica);
        ids.push(
          await getOrCreate(
            name,
            {
              name,
              Image: release.imagePinned,
              Labels: labels,
              Env: env,
              ...(config.command ? { Entrypoint: config.command } : {}),
              ...(config.args ? { Cmd: config.args } : {}),
              ExposedPorts: { [port]: {} },
              HostConfig: {
                // Published on this host's private address only (loopback on a single machine):
                // Traefik is the way in, never a public interface.
                PortBindings: { [port]: [{ HostIp: publishIp, HostPort: '' }] },
                Init: true,
                RestartPolicy: { Name: 'unless-stopped' },
                LogConfig: { Type: (config.logDriver ?? DEFAULT_LOG_DRIVER).type, Config: (config.logDriver ?? DEFAULT_LOG_DRIVER).options },
                ...(config.resources.memoryMb ? { Memory: config.resources.memoryMb * 1024 * 1024 } : {}),
                ...(config.resources.cpus ? { NanoCpus: Math.round(config.resources.cpus * 1e9) } : {}),
              },
            },
            input.deploymentId,
          ),
        );
      }
      log.debug({ deploymentId: input.deploymentId, containers: ids.length }, 'containers ready');
      return ids;
    },

    /** Starts the containers (already running is fine) and reports where each answers. */
    async startContainers(input: { containerIds: string[]; port: number }): Promise<Endpoint[]> {
      return withHeartbeat(async () =>
        Promise.all(
          input.containerIds.map(async (id) => {
            const container = docker.getContainer(id);
            try {
              await tolerate(() => container.start());
            } catch (err) {
              if (!isLeftoverTask(err)) throw err;
              // Removed, so the step, run again, makes it anew under the same name. (Docker has
              // no call to free containerd's stale task; a new container gets a task of its own.)
              await tolerate(() => container.remove({ force: true, v: true }), { gone: true });
              throw new EngineAwayError(`the engine restarted while starting container ${id} and can no longer start it: removed, to be made again`);
            }
            const info = await container.inspect();
            const binding = info.NetworkSettings.Ports?.[`${input.port}/tcp`]?.[0];
            if (!info.State.Running) {
              // The engine's own shutdown stops containers too (exit code 0 for a tidy app).
              await confirmEngineHere(socketPath, `container ${info.Name} stopped right after start`);
              throw permanentFailure('ContainerFailed', `container ${info.Name} exited with code ${info.State.ExitCode} right after start`);
            }
            if (!binding?.HostPort) {
              // Made with the port published, running without it: the engine's doing, never the
              // app's. A shutdown gives up a container's ports before it shows it stopped; an
              // engine back from a restart can take up a task its predecessor started, with no
              // network. Removed, and the step, run again, makes it anew.
              await confirmEngineHere(socketPath, `container ${info.Name} lost its port right after start`);
              await tolerate(() => container.remove({ force: true, v: true }), { gone: true });
              throw new EngineAwayError(`the engine runs container ${info.Name} without its port ${input.port}: removed, to be made again`);
            }
            return {
              containerId: id,
              replica: Number(info.Config.Labels?.[LABEL.replica] ?? 0),
              // Where it really listens: a container made before BERTH_HOST_ADDRESS changed keeps its old binding.
              url: `http://${binding.HostIp && binding.HostIp !== '0.0.0.0' ? binding.HostIp : publishIp}:${binding.HostPort}`,
              started: { at: info.State.StartedAt, restarts: info.RestartCount },
            };
          }),
        ),
      );
    },

    async stopContainers(input: { containerIds: string[]; timeoutSeconds: number }): Promise<void> {
      await withHeartbeat(() => Promise.all(input.containerIds.map((id) => stop(id, input.timeoutSeconds))));
    },

    /**
     * Undo of a launch, whatever its progress: removes the containers this deployment made and
     * stops any other running container of the environment outside its live release (retained
     * containers a rollback had started again).
     */
    async undoLaunch(input: { deploymentId: string; environmentId: string }): Promise<number> {
      const [env] = await db.select({ live: environments.liveReleaseId }).from(environments).where(eq(environments.id, input.environmentId));
      const all = await list({ [LABEL.environment]: input.environmentId });
      const mine = all.filter((c) => c.deploymentId === input.deploymentId);
      const started = all.filter((c) => c.deploymentId !== input.deploymentId && c.releaseId !== env?.live && c.state === 'running');
      await withHeartbeat(() =>
        Promise.all([
          ...mine.map((c) => tolerate(() => docker.getContainer(c.id).remove({ force: true, v: true }), { gone: true })),
          ...started.map((c) => stop(c.id, 10)),
        ]),
      );
      return mine.length + started.length;
    },

    /** Whether the container is there; the engine being away is an error, not a "no". */
    async containerExists(id: string): Promise<boolean> {
      try {
        await docker.getContainer(id).inspect();
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },

    async listReleaseContainers(input: { releaseId: string }): Promise<ContainerSummary[]> {
      return list({ [LABEL.release]: input.releaseId });
    },

    /** Every container of this instance, or of one environment. */
    async listContainers(input: { environmentId?: string }): Promise<ContainerSummary[]> {
      return list(input.environmentId ? { [LABEL.environment]: input.environmentId } : {});
    },

    async removeContainers(input: { containerIds: string[] }): Promise<void> {
      await withHeartbeat(() =>
        Promise.all(input.containerIds.map((id) => tolerate(() => docker.getContainer(id).remove({ force: true, v: true }), { gone: true }))),
      );
    },

    /** Stops every running container of the environment that does not belong to the live release (or the one in standby). */
    async retireContainers(input: { report?: PhaseReport; environmentId: string; liveReleaseId: string; timeoutSeconds: number; standbyReleaseId?: string | null }): Promise<string[]> {
      if (input.report) await recordReport(db, input.report);
      const running = (await list({ [LABEL.environment]: input.environmentId })).filter(
        (c) => c.releaseId !== input.liveReleaseId && c.releaseId !== input.standbyReleaseId && c.state !== 'exited' && c.state !== 'created',
      );
      await withHeartbeat(() => Promise.all(running.map((c) => stop(c.id, input.timeoutSeconds))));
      return running.map((c) => c.name);
    },

    /** Removes the environment's containers of releases outside the retention window. */
    async pruneContainers(input: { report?: PhaseReport; environmentId: string; keepReleaseIds: string[] }): Promise<{ removed: string[]; imageIds: string[] }> {
      if (input.report) await recordReport(db, input.report);
      const keep = new Set(input.keepReleaseIds);
      const doomed = (await list({ [LABEL.environment]: input.environmentId })).filter((c) => !keep.has(c.releaseId));
      const imageIds = new Set<string>();
      await withHeartbeat(() =>
        Promise.all(
          doomed.map(async (c) => {
            // Only "gone" is an answer; the engine going away must reach the guard.
            const info = await docker.getContainer(c.id).inspect().catch((err: unknown) => (isNotFound(err) ? null : Promise.reject(err)));
            if (info) imageIds.add(info.Image);
            await tolerate(() => docker.getContainer(c.id).remove({ force: true, v: true }), { gone: true });
          }),
        ),
      );
      return { removed: doomed.map((c) => c.name), imageIds: [...imageIds] };
    },
  };
}
