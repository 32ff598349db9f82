// The resolve phase on the host: pin the image (pulling it when needed) and record the release,
// or, for a rollback, load the release and find the containers it kept.
import type { Db } from '../../db/client.js';
import type { ReleaseRow } from '../../db/queries/releases.js';
import { loadReleaseRow, recordRelease, toSpec, type createReleaseStore, type ReleaseSpec } from '../store/releases.js';
import type { createContainerActivities } from '../docker/containers.js';
import type { createImageActivities } from '../docker/images.js';

export interface ResolveInput {
  deploymentId: string;
  appId: string;
  environmentId: string;
  /** kind deploy: the image to release under this id. */
  image?: { ref: string; releaseId: string } | undefined;
  /** kind rollback: the release to run again. */
  rollbackTo?: string | undefined;
  /** A spread deploy: the replica indices this host runs (absent: all of the release's). */
  replicas?: number[] | undefined;
}

export interface ResolvedRelease {
  release: ReleaseSpec;
  /** The release's row, for this step's own use (its containers are made from it): never returned to the workflow. */
  row: ReleaseRow;
  /** One kept container per replica when the release can be restarted as it was; else null. */
  retained: string[] | null;
}

interface Deps {
  db: Db;
  images: ReturnType<typeof createImageActivities>;
  containers: ReturnType<typeof createContainerActivities>;
  releases: ReturnType<typeof createReleaseStore>;
}

export function createResolveRelease({ db, images, containers, releases }: Deps) {
  return async function resolveRelease(input: ResolveInput): Promise<ResolvedRelease> {
    if (input.image) {
      const site = { deploymentId: input.deploymentId, appId: input.appId, environmentId: input.environmentId, releaseId: input.image.releaseId };
      // The database's part read while the engine inspects (or pulls) the image.
      const drafting = releases.draftRelease(site);
      drafting.catch(() => undefined); // surfaces below, unless the image's own failure comes first
      const image = await images.resolveImage({ deploymentId: input.deploymentId, image: input.image.ref });
      const row = await recordRelease(db, { ...site, image, draft: await drafting });
      return { release: toSpec(row), row, retained: null };
    }
    const row = await loadReleaseRow(db, { releaseId: input.rollbackTo as string, environmentId: input.environmentId, deploymentId: input.deploymentId });
    const kept = await containers.listReleaseContainers({ releaseId: row.id });
    return { release: toSpec(row), row, retained: pickRetained(kept, input.replicas ?? row.config.replicas) };
  };
}

/** One container per replica (a count: 0…n-1; or the indices) from those a release kept; null when any is missing. */
export function pickRetained(containers: { id: string; replica: number; deploymentId: string }[], replicas: number | number[]): string[] | null {
  const byReplica = new Map<number, string>();
  // Newest deployment first (ids sort by time), so a recreated copy wins over an older one.
  for (const c of [...containers].sort((a, b) => b.deploymentId.localeCompare(a.deploymentId))) {
    if (!byReplica.has(c.replica)) byReplica.set(c.replica, c.id);
  }
  const ids: string[] = [];
  for (const r of typeof replicas === 'number' ? Array.from({ length: replicas }, (_, i) => i) : replicas) {
    const id = byReplica.get(r);
    if (!id) return null;
    ids.push(id);
  }
  return ids;
}
