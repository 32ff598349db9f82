// Releases: created once per deployment from the app's settings and the environment's
// variables (snapshotted, so a later edit never changes what a rollback runs).
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { getRelease, insertReleaseOfDeployment, prunableImageIds, retainedReleaseIds, type ReleaseRow } from '../../db/queries/releases.js';
import { sealReleaseVariables } from '../../db/queries/release-variables.js';
import { effectiveSettings, environmentBasis } from '../../db/queries/environment-settings.js';
import { pickRuntime } from '../../src/domain/environment-settings.js';
import { resolveVariableSets, type VariableSite } from '../../db/queries/variables.js';
import { deployments, releases } from '../../db/schema/index.js';
import type { ReleaseConfig } from '../../src/domain/app-spec.js';
import { permanentFailure } from '../../src/errors.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { ResolvedImage } from '../docker/index.js';

/** What the workflow learns of a release: never its variables. */
export interface ReleaseSpec {
  id: string;
  number: number;
  imagePinned: string;
  imageId: string;
  config: ReleaseConfig;
}

export function toSpec(row: ReleaseRow): ReleaseSpec {
  return { id: row.id, number: row.number, imagePinned: row.imagePinned, imageId: row.imageId, config: row.config };
}

/** A release about to be made, or the one made already. */
export type ReleaseDraft = { existing: ReleaseRow } | { config: ReleaseConfig; variables: ReturnType<typeof sealReleaseVariables> };

type NewRelease = { deploymentId: string; appId: string; environmentId: string; releaseId: string; image: ResolvedImage; draft: ReleaseDraft };
type LoadedRelease = { releaseId: string; environmentId: string; deploymentId: string };

/** The deployment's release recorded (or the one recorded already), as its row: the launch makes its containers from it. */
export async function recordRelease(db: Db, input: NewRelease): Promise<ReleaseRow> {
  const { draft } = input;
  if ('existing' in draft) return draft.existing;
  const { config, variables } = draft;
  // A spread deploy resolves on every host at once: the host that loses the race to record
  // the release takes the one the other recorded.
  return insertReleaseOfDeployment(db, {
    id: input.releaseId,
    appId: input.appId,
    environmentId: input.environmentId,
    imageRef: input.image.imageRef,
    imagePinned: input.image.imagePinned,
    imageId: input.image.imageId,
    imagePulled: input.image.pulled,
    config,
    ...variables,
    createdByDeploymentId: input.deploymentId,
  }).catch(async (err: unknown) => {
    const [raced] = await db.select().from(releases).where(eq(releases.createdByDeploymentId, input.deploymentId));
    if (raced) return raced;
    throw err;
  });
}

/** A rollback's release, as its row, with the deployment pointed at it. */
export async function loadReleaseRow(db: Db, input: LoadedRelease): Promise<ReleaseRow> {
  const row = await getRelease(db, input.releaseId);
  if (!row || row.environmentId !== input.environmentId) {
    throw permanentFailure('ReleaseNotFound', `release ${input.releaseId} is not a release of this environment`);
  }
  await db.update(deployments).set({ releaseId: row.id }).where(eq(deployments.id, input.deploymentId));
  return row;
}

export function createReleaseStore(db: Db, box: SecretBox, site: VariableSite) {
  return {
    /**
     * What a new release is made of (or the one a retry finds made): every read side by side,
     * and started while the image resolves (each round trip is on every deploy's path).
     */
    async draftRelease(input: { deploymentId: string; appId: string; environmentId: string; releaseId: string }): Promise<ReleaseDraft> {
      // The environment's chain and app are read once, for its settings and its variables alike.
      const based = environmentBasis(db, input.environmentId, input.appId);
      const [[existing], basis, settings, variables] = await Promise.all([
        db.select().from(releases).where(eq(releases.createdByDeploymentId, input.deploymentId)),
        // A retry that finds its release made needs none of them (and no environment still there).
        based.catch((err: unknown) => err as Error),
        based.then((b) => effectiveSettings(db, input.environmentId, undefined, b)).catch((err: unknown) => err as Error),
        based.then((b) => resolveVariableSets(db, input.environmentId, box, { deploymentId: input.deploymentId, site, basis: b })).catch((err: unknown) => err as Error),
      ]);
      if (existing) return { existing };
      if (basis instanceof Error) throw basis;
      if (settings instanceof Error) throw settings;
      if (variables instanceof Error) throw variables;
      const { app } = basis;
      const config: ReleaseConfig = {
        port: app.port,
        command: app.command ?? null,
        args: app.args ?? null,
        // The environment's effective settings (its own, its parents', else the app's): recorded, so a rollback runs them again.
        ...pickRuntime(settings.settings),
        logDriver: app.logDriver ?? null,
      };
      return { config, variables: sealReleaseVariables(box, input.releaseId, variables) };
    },

    async createRelease(input: NewRelease): Promise<ReleaseSpec> {
      return toSpec(await recordRelease(db, input));
    },

    async loadRelease(input: LoadedRelease): Promise<ReleaseSpec> {
      return toSpec(await loadReleaseRow(db, input));
    },

    /** The live release plus the most recently live others, up to `retention` in all. */
    async retainedReleases(input: { environmentId: string; liveReleaseId: string; retention: number }): Promise<string[]> {
      return retainedReleaseIds(db, input.environmentId, input.liveReleaseId, input.retention);
    },

    /** Of these images, the ones Berth pulled that no retained release runs (histories before the tidy step; tidy-release.ts reads it itself). */
    async prunableImages(input: { imageIds: string[]; keepReleaseIds: string[] }): Promise<string[]> {
      return prunableImageIds(db, input.imageIds, input.keepReleaseIds);
    },
  };
}
