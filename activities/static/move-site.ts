// A static site moving to another host (a move's deployment, workflows/static-move.ts): the host
// it leaves packs the live release's files into an archive and stashes it in the database
// (static_uploads, as the API does for an upload placed elsewhere), the new host receives and
// unpacks it as it would an upload, and once the move has committed and drained, the host left
// removes the site's directory. The database is the one store both hosts share.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import type { Db } from '../../db/client.js';
import { stashUpload } from '../../db/queries/static-uploads.js';
import type { StaticArtifact } from '../../src/domain/deployment.js';
import { permanentFailure } from '../../src/errors.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { verifyTree } from '../../src/static/verify-tree.js';
import { withHeartbeat } from '../heartbeat.js';
import { exists, sha256Of, type SiteRef } from './prepare-release.js';

export function createMoveSite({ db, staticDir }: { db: Db; staticDir: string }) {
  return {
    /**
     * Packs a release's files (as unpacked and verified here) into the deployment's stashed
     * upload; what the new host's receive step checks it against. A retry packs it afresh.
     */
    async packStaticRelease(input: SiteRef & { deploymentId: string; releaseId: string }): Promise<StaticArtifact> {
      const paths = sitePaths(staticDir, input.appName, input.environmentName);
      const dir = paths.release(input.releaseId);
      if (!(await exists(dir))) throw permanentFailure('ReleaseNotFound', `the files of release ${input.releaseId} are not on this host`);
      return withHeartbeat(async (signal) => {
        await mkdir(paths.incoming, { recursive: true });
        // Not the deployment's staged name: on a host that is also the target, that is the receive step's.
        const file = join(paths.incoming, `${input.deploymentId}.move.tar.gz`);
        try {
          const tree = await verifyTree(dir, signal);
          // Entries by name (not "."): the archive reads like an upload, checked entry by entry on receipt.
          await createTar({ gzip: true, file, cwd: dir, portable: true }, await readdir(dir));
          const artifact = { sha256: await sha256Of(file, signal), bytes: (await stat(file)).size, files: tree.files, unpackedBytes: tree.bytes };
          await stashUpload(db, input.deploymentId, file);
          return artifact;
        } finally {
          await rm(file, { force: true });
        }
      });
    },

    /** After a committed move: nothing of the site stays on the host it left. */
    async removeStaticSite(input: SiteRef): Promise<boolean> {
      const paths = sitePaths(staticDir, input.appName, input.environmentName);
      const had = await exists(paths.root);
      await rm(paths.root, { recursive: true, force: true });
      return had;
    },
  };
}
