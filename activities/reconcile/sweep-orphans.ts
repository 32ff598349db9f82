// Reconcile's sweep on a host: containers this instance labelled that belong to no kept
// release (or to an environment that no longer exists) are removed, and with them the images
// Berth pulled or built for kept-no-more releases that no kept release runs — as a deploy's
// prune does, so an image does not outlive its containers because reconcile, not a deploy,
// removed them (say after retention was lowered). Nothing without this instance's labels is
// ever looked at, let alone touched, and an image is only ever one Berth brought onto the host
// (a removed environment's images have no release left to say so: the cleanup schedule's).
//
// The sweep acts on what the database says when it runs, not only on what the pass read before
// healing every environment: an environment with a deployment under way is left to it (between
// its switch and its own prune the release it replaced still drains there), and each
// environment's kept releases are read again (a deploy that went live meanwhile keeps its new
// release). While a deployment has not pinned its release yet, no image is removed: it may be
// about to run one of them.
import type { Db } from '../../db/client.js';
import { deploymentsInFlight } from '../../db/queries/in-flight.js';
import { prunableImageIds } from '../../db/queries/releases.js';
import type { Logger } from '../../src/logger.js';
import { orphanContainers } from '../../src/domain/reconcile-plan.js';
import type { createContainerActivities } from '../docker/containers.js';
import type { createImageActivities } from '../docker/images.js';
import { keptReleaseIdsNow } from '../store/kept-now.js';

export interface SweepInput {
  /** Per environment that exists: the releases whose containers are kept (as the pass read them). */
  keep: Record<string, string[]>;
  /** Deployments in progress: what they made is theirs until they end. */
  activeDeploymentIds: string[];
  /** How long it waits for the host's engine when that is away (activities/docker/engine-guard.ts); absent: the attempt's deadline. */
  engineWaitMs?: number;
}

export interface Orphan {
  containerId: string;
  name: string;
  environmentId: string;
  releaseId: string;
}

interface Deps {
  db: Db;
  containers: ReturnType<typeof createContainerActivities>;
  images: Pick<ReturnType<typeof createImageActivities>, 'removeImages'>;
  log: Logger;
}

export function createSweepOrphans({ db, containers, images, log }: Deps) {
  return async function sweepOrphans(input: SweepInput): Promise<Orphan[]> {
    const all = await containers.listContainers({});
    const active = new Set(input.activeDeploymentIds);
    const inFlight = await deploymentsInFlight(db);
    const busy = new Set(inFlight.map((d) => d.environmentId));
    const byEnv = new Map<string, typeof all>();
    for (const c of all) {
      const env = c.environmentId;
      if (busy.has(env)) continue;
      byEnv.set(env, [...(byEnv.get(env) ?? []), c]);
    }
    const keptNow = await keptReleaseIdsNow(db, [...byEnv.keys()]);
    const doomed: (Orphan & { imageId: string })[] = [];
    for (const [environmentId, list] of byEnv) {
      const keep = new Set([...(input.keep[environmentId] ?? []), ...(keptNow.get(environmentId) ?? [])]);
      const observed = list.map((c) => ({ id: c.id, releaseId: c.releaseId, deploymentId: c.deploymentId, replica: c.replica, running: c.state === 'running' }));
      for (const o of orphanContainers(observed, keep, active)) {
        const c = list.find((x) => x.id === o.id);
        doomed.push({ containerId: o.id, name: c?.name ?? o.id, environmentId, releaseId: o.releaseId, imageId: c?.imageId ?? '' });
      }
    }
    if (doomed.length === 0) return [];
    await containers.removeContainers({ containerIds: doomed.map((d) => d.containerId) });
    const orphans = doomed.map(({ containerId, name, environmentId, releaseId }) => ({ containerId, name, environmentId, releaseId }));
    if (inFlight.some((d) => d.releaseId === null)) return orphans;
    // Kept: every environment's kept releases, as read before and now, and whatever a deployment
    // under way has pinned (its containers may not exist yet; Docker alone would not stop it).
    const kept = [...Object.values(input.keep).flat(), ...[...keptNow.values()].flat(), ...inFlight.flatMap((d) => (d.releaseId ? [d.releaseId] : []))];
    const imageIds = await prunableImageIds(db, [...new Set(doomed.map((d) => d.imageId).filter(Boolean))], kept);
    // Docker refuses an image another container (Berth's or anyone's) still uses: that one stays.
    const removed = imageIds.length ? await images.removeImages({ imageIds }) : [];
    if (removed.length) log.info({ images: removed }, 'images of swept containers removed');
    return orphans;
  };
}
