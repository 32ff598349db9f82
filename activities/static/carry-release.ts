// The older releases a static site keeps for rollbacks, carried to the host it moved to after
// the move has committed (workflows/static-move.ts): each packed on the host left (its
// packStaticRelease, under the stash key <deployment id>.<release id>) and received here. The live release went
// before the switch, through the deployment's own receive step; these are best effort — one that
// does not arrive is noted on the move, and a rollback to it is refused as for a pruned release.
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../../db/client.js';
import { dropUpload, restoreUpload } from '../../db/queries/static-uploads.js';
import type { ArchiveLimits } from '../../src/config.js';
import { permanentFailure } from '../../src/errors.js';
import { readArchive } from '../../src/static/read-archive.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { verifyTree } from '../../src/static/verify-tree.js';
import { withHeartbeat } from '../heartbeat.js';
import { exists, sha256Of, type SiteRef } from './prepare-release.js';

export function createCarryRelease({ db, staticDir, limits }: { db: Db; staticDir: string; limits: ArchiveLimits }) {
  return {
    /** Receives a release's stashed files into its directory here, checked as an upload is; true when it is there. */
    async receiveStaticRelease(input: SiteRef & { stashKey: string; releaseId: string; sha256: string }): Promise<boolean> {
      const paths = sitePaths(staticDir, input.appName, input.environmentName);
      const releaseDir = paths.release(input.releaseId);
      return withHeartbeat(async (signal) => {
        if (!(await exists(releaseDir))) {
          await mkdir(paths.incoming, { recursive: true });
          const staged = join(paths.incoming, `${input.stashKey}.tar.gz`);
          const partial = join(paths.releases, `.${input.releaseId}.partial`);
          try {
            if (!(await restoreUpload(db, input.stashKey, staged))) throw permanentFailure('NotFound', `the packed files of release ${input.releaseId} are gone`);
            const sum = await sha256Of(staged, signal);
            if (sum !== input.sha256) throw permanentFailure('ArchiveRejected', `packed release changed on its way (sha256 ${sum}, expected ${input.sha256})`);
            await rm(partial, { recursive: true, force: true });
            await mkdir(partial, { recursive: true });
            const manifest = await readArchive(staged, limits, { extractTo: partial, signal });
            const tree = await verifyTree(partial, signal);
            if (tree.files < manifest.files) throw permanentFailure('ArchiveRejected', `unpacked ${tree.files} files where the archive has ${manifest.files}`);
            await rename(partial, releaseDir);
          } finally {
            await rm(partial, { recursive: true, force: true });
            await rm(staged, { force: true });
          }
        }
        await dropUpload(db, input.stashKey);
        return true;
      });
    },
  };
}
