// receive → unpack → verify in one step on the host, each phase recorded as it goes (one
// activity instead of three keeps Temporal round trips off a deploy's path). Idempotent by the
// deployment id: the release directory is published by a rename only once complete, so a retry
// finds it done, or starts its partial directory afresh.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../../db/client.js';
import type { ArchiveLimits } from '../../src/config.js';
import type { StaticArtifact } from '../../src/domain/deployment.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import { permanentFailure } from '../../src/errors.js';
import { ArchiveRejected } from '../../src/static/archive-rules.js';
import { readCurrent } from '../../src/static/current-link.js';
import { readArchive } from '../../src/static/read-archive.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { verifyTree } from '../../src/static/verify-tree.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordReport } from '../store/deployments.js';
import { dropUpload, restoreUpload } from '../../db/queries/static-uploads.js';
import { createStaticRelease, type StaticReleaseSpec } from './release-store.js';

export interface SiteRef {
  appName: string;
  environmentName: string;
}

export interface PrepareInput extends SiteRef {
  report: PhaseReport;
  deploymentId: string;
  appId: string;
  environmentId: string;
  releaseId: string;
  artifact: StaticArtifact;
}

export interface Prepared {
  release: StaticReleaseSpec;
  /** The release `current` pointed at before this deployment (for the switch's undo). */
  previousReleaseId: string | null;
  phases: PhaseWrite[];
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function sha256Of(file: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Archive problems the API let through can only mean a changed file: never retried. */
function rejected(err: unknown): unknown {
  return err instanceof ArchiveRejected ? permanentFailure('ArchiveRejected', err.message, { entry: err.entry }) : err;
}

export function createPrepareRelease(deps: { db: Db; staticDir: string; limits: ArchiveLimits }) {
  const { db } = deps;
  return async function prepareStaticRelease(input: PrepareInput): Promise<Prepared> {
    const { deploymentId, artifact } = input;
    const paths = sitePaths(deps.staticDir, input.appName, input.environmentName);
    const recorded: PhaseWrite[] = [];
    // Progress goes to the database in order, beside the work rather than in front of it; all of
    // it is written before the step ends (a failed write fails the step, which is retried whole).
    let written: Promise<void> = recordReport(db, input.report);
    // Handled here so a failure never goes unhandled meanwhile; it surfaces when awaited below.
    written.catch(() => undefined);
    const advance = (phases: PhaseWrite[]) => {
      recorded.push(...phases);
      written = written.then(() => recordReport(db, { deploymentId, phases }));
      written.catch(() => undefined);
    };
    const prepared = await withHeartbeat(async (signal) => {
      const releaseDir = paths.release(input.releaseId);
      const staged = paths.staged(deploymentId);
      const done = await exists(releaseDir);
      // (Archives stranded by earlier deploys go in the prune after the switch, off this path.)
      // receive: the staged archive is the one the API checked
      if (!done) {
        // A site placed on another host than the API's: its archive waits in the database.
        if (!(await exists(staged))) {
          await mkdir(paths.incoming, { recursive: true });
          if (!(await restoreUpload(db, deploymentId, staged))) throw permanentFailure('NotFound', `the uploaded archive of ${deploymentId} is gone (was it cancelled?)`);
        }
        const sum = await sha256Of(staged, signal);
        if (sum !== artifact.sha256) throw permanentFailure('ArchiveRejected', `staged archive changed since upload (sha256 ${sum}, expected ${artifact.sha256})`);
      }
      const release = await createStaticRelease(db, { ...input, artifact });
      advance([
        { phase: 'receive', outcome: 'succeeded', message: `archive sha256:${artifact.sha256.slice(0, 12)}…, ${artifact.bytes} bytes`, at: Date.now() },
        { phase: 'unpack', outcome: 'running', at: Date.now() },
      ]);

      if (!done) {
        // unpack into a hidden partial directory, checked entry by entry again
        const partial = join(paths.releases, `.${input.releaseId}.partial`);
        await rm(partial, { recursive: true, force: true });
        await mkdir(partial, { recursive: true });
        try {
          const manifest = await readArchive(staged, deps.limits, { extractTo: partial, signal }).catch((err) => {
            throw rejected(err);
          });
          advance([
            { phase: 'unpack', outcome: 'succeeded', message: `${manifest.files} files, ${manifest.fileBytes} bytes`, at: Date.now() },
            { phase: 'verify', outcome: 'running', at: Date.now() },
          ]);
          // verify what is on disk, then publish it whole
          const tree = await verifyTree(partial, signal).catch((err) => {
            throw rejected(err);
          });
          if (tree.files < manifest.files) {
            throw permanentFailure('ArchiveRejected', `unpacked ${tree.files} files where the archive has ${manifest.files}`);
          }
          await rename(partial, releaseDir);
          advance([{ phase: 'verify', outcome: 'succeeded', message: `${tree.files} files, ${tree.bytes} bytes, ${tree.symlinks} links`, at: Date.now() }]);
        } catch (err) {
          await rm(partial, { recursive: true, force: true });
          throw err;
        }
      } else {
        const at = Date.now();
        advance([
          { phase: 'unpack', outcome: 'succeeded', message: 'already unpacked', at },
          { phase: 'verify', outcome: 'running', at },
          { phase: 'verify', outcome: 'succeeded', message: 'already verified', at },
        ]);
      }
      const [previousReleaseId] = await Promise.all([readCurrent(paths), rm(staged, { force: true }), dropUpload(db, deploymentId)]);
      return { release, previousReleaseId, phases: recorded };
    }).finally(() => written.catch(() => undefined));
    await written;
    return prepared;
  };
}
