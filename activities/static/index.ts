// Static sites on their host: releases as directories under the static dir, the `current`
// symlink the static server reads through, and the Traefik route that sends the environment's
// hosts there. Runs on the host's task queue: the files are on that host.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../../db/client.js';
import type { StaticConfig } from '../../src/config.js';
import { readCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { createPrepareRelease, type SiteRef } from './prepare-release.js';
import { createHealStaticSite } from './heal-site.js';
import { createPreviewSite } from './preview-site.js';
import { createPruneReleases } from './prune-releases.js';
import { createPublishRelease } from './publish-release.js';
import { incomingDirs, removeStaleUploads, UPLOAD_GRACE_MS } from './stale-uploads.js';
import { dropStaleUploads, dropUpload } from '../../db/queries/static-uploads.js';
import { createSwitchRelease } from './switch-release.js';
import { createMoveSite } from './move-site.js';
import { createCarryRelease } from './carry-release.js';
import { createVerifySite } from './verify-site.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { withHeartbeat } from '../heartbeat.js';

export type { Prepared, PrepareInput } from './prepare-release.js';
export type { Switched, SwitchInput } from './switch-release.js';
export type { Published, PublishInput } from './publish-release.js';
export { desiredCurrent, type DesiredCurrent } from './desired-current.js';

export interface StaticDeps {
  db: Db;
  static: Pick<StaticConfig, 'dir' | 'url' | 'limits'>;
  traefik: { routesDir: string; entryUrl: string; apiUrl: string; httpsEntryUrl: string };
  instance: string;
  /** Opens an uploaded certificate's key (https: custom). */
  box: SecretBox;
}

export function createStaticActivities(deps: StaticDeps) {
  const { db } = deps;
  const staticDir = deps.static.dir;
  const prepareStaticRelease = createPrepareRelease({ db, staticDir, limits: deps.static.limits });
  const switchStaticRelease = createSwitchRelease({ db, staticDir, serverUrl: deps.static.url, traefik: deps.traefik, instance: deps.instance, box: deps.box });
  return {
    prepareStaticRelease,
    switchStaticRelease,
    publishStaticRelease: createPublishRelease({ prepare: prepareStaticRelease, switchRelease: switchStaticRelease }),
    pruneStaticReleases: createPruneReleases({ db, staticDir }),
    ...createPreviewSite({ db, serverUrl: deps.static.url, traefik: deps.traefik, instance: deps.instance, box: deps.box }),
    ...createVerifySite({ db, staticDir, serverUrl: deps.static.url, traefik: deps.traefik, instance: deps.instance, box: deps.box }),
    ...createMoveSite({ db, staticDir }),
    ...createCarryRelease({ db, staticDir, limits: deps.static.limits }),
    healStaticSite: createHealStaticSite({ db, staticDir, serverUrl: deps.static.url, traefik: deps.traefik, instance: deps.instance, box: deps.box }),

    /** The cleanup schedule: uploads of every site that no deployment will use (see stale-uploads.ts). */
    async sweepStaleUploads(input: { dryRun: boolean }): Promise<string[]> {
      return withHeartbeat(async () => {
        const stale: string[] = [];
        for (const dir of await incomingDirs(staticDir)) stale.push(...(await removeStaleUploads(db, dir, { dryRun: input.dryRun })));
        // Archives on their way to another host (any host's sweep may take them: one database).
        for (const id of await dropStaleUploads(db, { graceMs: UPLOAD_GRACE_MS, dryRun: input.dryRun })) stale.push(`static_uploads:${id}`);
        return stale;
      });
    },

    /** Undo of a deploy before its switch: its files go, unless `current` points at them. */
    async discardStaticRelease(input: SiteRef & { deploymentId: string; releaseId: string }): Promise<void> {
      const paths = sitePaths(staticDir, input.appName, input.environmentName);
      // The stash first: it is in the database, whatever this host's disk refuses.
      await dropUpload(db, input.deploymentId);
      if ((await readCurrent(paths)) !== input.releaseId) {
        await rm(paths.release(input.releaseId), { recursive: true, force: true });
      }
      await rm(join(paths.releases, `.${input.releaseId}.partial`), { recursive: true, force: true });
      await rm(paths.staged(input.deploymentId), { force: true });
    },
  };
}

export type StaticActivities = ReturnType<typeof createStaticActivities>;
