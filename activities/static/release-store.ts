// Static releases in the database: a release row (as every kind has) plus what the archive was
// and the settings the release is served with, written once per deployment.
import { eq } from 'drizzle-orm';
import { effectiveSettings } from '../../db/queries/environment-settings.js';
import { pickRuntime } from '../../src/domain/environment-settings.js';
import { insertNextRelease } from '../../db/queries/releases.js';
import type { Db } from '../../db/client.js';
import { apps, deployments, releases, staticReleases } from '../../db/schema/index.js';
import type { ReleaseConfig } from '../../src/domain/app-spec.js';
import type { StaticArtifact } from '../../src/domain/deployment.js';
import { DEFAULT_STATIC_SETTINGS, type StaticSiteSettings } from '../../src/domain/static-site.js';
import { permanentFailure } from '../../src/errors.js';

export interface StaticReleaseSpec {
  id: string;
  number: number;
  sha256: string;
  files: number;
  settings: StaticSiteSettings;
}

export async function createStaticRelease(
  db: Db,
  input: { deploymentId: string; appId: string; environmentId: string; releaseId: string; artifact: StaticArtifact },
): Promise<StaticReleaseSpec> {
  // Read side by side: each round trip is on every static deploy's path.
  const [existing, [app], effective] = await Promise.all([
    findStaticRelease(db, input.releaseId),
    db.select().from(apps).where(eq(apps.id, input.appId)),
    // A retry that finds its release made needs no settings (nor an environment still there).
    effectiveSettings(db, input.environmentId).catch((err: unknown) => err as Error),
  ]);
  if (existing) return existing;
  if (effective instanceof Error) throw effective;
  if (!app) throw permanentFailure('NotFound', `app ${input.appId} no longer exists`);
  const settings = app.staticSite ?? DEFAULT_STATIC_SETTINGS;
  const config: ReleaseConfig = {
    port: app.port,
    command: null,
    args: null,
    // The environment's effective settings (its own, its parents', else the app's).
    ...pickRuntime(effective.settings),
  };
  const digest = `sha256:${input.artifact.sha256}`;
  const number = await db.transaction(async (tx) => {
    const release = await insertNextRelease(tx, {
      id: input.releaseId,
      appId: input.appId,
      environmentId: input.environmentId,
      // Static releases have no image: the archive's digest pins what is served.
      imageRef: `archive:${digest}`,
      imagePinned: digest,
      imageId: digest,
      imagePulled: false,
      config,
      variables: {},
      createdByDeploymentId: input.deploymentId,
    });
    await tx.insert(staticReleases).values({
      releaseId: input.releaseId,
      sha256: input.artifact.sha256,
      archiveBytes: input.artifact.bytes,
      files: input.artifact.files,
      unpackedBytes: input.artifact.unpackedBytes,
      settings,
    });
    await tx.update(deployments).set({ releaseId: input.releaseId }).where(eq(deployments.id, input.deploymentId));
    return release.number;
  });
  return { id: input.releaseId, number, sha256: input.artifact.sha256, files: input.artifact.files, settings };
}

export async function findStaticRelease(db: Db, releaseId: string, environmentId?: string): Promise<StaticReleaseSpec | null> {
  const [row] = await db
    .select({ id: releases.id, number: releases.number, environmentId: releases.environmentId, sha256: staticReleases.sha256, files: staticReleases.files, settings: staticReleases.settings })
    .from(releases)
    .innerJoin(staticReleases, eq(staticReleases.releaseId, releases.id))
    .where(eq(releases.id, releaseId));
  if (!row || (environmentId && row.environmentId !== environmentId)) return null;
  return { id: row.id, number: row.number, sha256: row.sha256, files: row.files, settings: row.settings };
}
