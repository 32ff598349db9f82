// Images: resolve a reference to what will run, pulling when needed, and pin it.
import type Docker from 'dockerode';
import { permanentFailure } from '../../src/errors.js';
import { LABEL, MANAGED_BY } from '../../src/domain/labels.js';
import { parseImageRef, repositoryName, sameRepository, type ImageRef } from '../../src/domain/image-ref.js';
import type { Logger } from '../../src/logger.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { withHeartbeat } from '../heartbeat.js';
import { isNotFound } from './docker-errors.js';
import { NO_DISK_GUARD, type DiskGuard } from './disk-guard.js';

export interface ResolvedImage {
  imageRef: string;
  /** repo@sha256:… when the image has a registry digest, else its image id. */
  imagePinned: string;
  imageId: string;
  /**
   * True when Berth brought the image onto this host: pulled it, or built it (an image that
   * carries this instance's labels). Only such images are ever pruned by Berth.
   */
  pulled: boolean;
}

interface Deps {
  docker: Docker;
  instance: string;
  log: Logger;
  deploymentLog: DeploymentLog;
  /** Pulls do not start on a Docker root short of free space. */
  disk?: DiskGuard;
}

const PULL_LOG_EVERY_MS = 1000;

export function createImageActivities({ docker, instance, log, deploymentLog, disk = NO_DISK_GUARD }: Deps) {
  async function inspect(ref: string): Promise<Docker.ImageInspectInfo | null> {
    try {
      return await docker.getImage(ref).inspect();
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async function pull(ref: string, deploymentId: string, signal: AbortSignal): Promise<void> {
    let lastLogged = 0;
    let lastStatus = '';
    const stream = await docker.pull(ref, { abortSignal: signal });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err) => (err ? reject(err) : resolve()),
        (event: { status?: string; id?: string; progress?: string; error?: string }) => {
          if (event.error) return;
          const line = [event.id, event.status, event.progress].filter(Boolean).join(' ');
          if (Date.now() - lastLogged > PULL_LOG_EVERY_MS && line !== lastStatus) {
            lastLogged = Date.now();
            lastStatus = line;
            void deploymentLog.write(deploymentId, 'info', 'resolve', `pull ${line}`);
          }
        },
      );
    });
  }

  function pinned(ref: ImageRef, info: Docker.ImageInspectInfo): string {
    if (ref.digest) return `${repositoryName(ref)}@${ref.digest}`;
    const repo = repositoryName(ref);
    const digest = (info.RepoDigests ?? []).find((d) => sameRepository(d.split('@')[0] ?? '', repo));
    return digest ?? info.Id;
  }

  /** A registry named explicitly means a tag there may have moved: ask it. */
  function namesRegistry(ref: ImageRef): boolean {
    return ref.domain !== null;
  }

  return {
    /**
     * Makes sure the image is present and pins what will run. Digests are used as they are;
     * a tag on a named registry is pulled (cheap when unchanged), falling back to a local copy
     * when the registry cannot be reached; other tags are pulled only when missing.
     */
    async resolveImage(input: { deploymentId: string; image: string }): Promise<ResolvedImage> {
      const ref = parseImageRef(input.image);
      if (!ref) throw permanentFailure('ValidationFailed', `not an image reference: ${input.image}`);
      return withHeartbeat(async (signal) => {
        let info = await inspect(input.image);
        let pulled = false;
        let shouldPull = info === null || (ref.digest === null && namesRegistry(ref));
        if (shouldPull && info !== null) {
          // Short of disk, a refresh of an image present here waits: the local one serves.
          shouldPull = await disk.ensureRoom(`the pull of ${input.image}`).then(
            () => true,
            async (err: Error) => {
              await deploymentLog.write(input.deploymentId, 'warn', 'resolve', `${err.message}; using the local image`);
              return false;
            },
          );
        } else if (shouldPull) {
          await disk.ensureRoom(`the pull of ${input.image}`);
        }
        if (shouldPull) {
          try {
            await deploymentLog.write(input.deploymentId, 'info', 'resolve', `pulling ${input.image}`);
            await pull(input.image, input.deploymentId, signal);
            pulled = info === null || (await inspect(input.image))?.Id !== info.Id;
            info = await inspect(input.image);
          } catch (err) {
            const message = (err as Error).message ?? String(err);
            if (info !== null) {
              log.warn({ image: input.image, err: message }, 'pull failed, using local image');
              await deploymentLog.write(input.deploymentId, 'warn', 'resolve', `pull failed (${message}); using the local image`);
            } else if (/not found|manifest unknown|does not exist|pull access denied|no such image/i.test(message)) {
              throw permanentFailure('ImageNotFound', `image ${input.image} not found: ${message}`);
            } else {
              throw err;
            }
          }
        }
        if (!info) throw permanentFailure('ImageNotFound', `image ${input.image} is not available`);
        const labels = info.Config?.Labels ?? {};
        const built = labels[LABEL.managedBy] === MANAGED_BY && labels[LABEL.instance] === instance;
        const result = { imageRef: input.image, imagePinned: pinned(ref, info), imageId: info.Id, pulled: pulled || built };
        await deploymentLog.write(input.deploymentId, 'info', 'resolve', `pinned ${result.imagePinned}`);
        return result;
      });
    },

    /** Makes a pinned image present again (a pruned release being recreated). */
    async ensurePinnedImage(input: { deploymentId: string; imagePinned: string }): Promise<void> {
      if (await inspect(input.imagePinned)) return;
      if (!input.imagePinned.includes('@')) {
        throw permanentFailure('ImageNotFound', `image ${input.imagePinned} is gone and has no registry digest to pull again`);
      }
      await disk.ensureRoom(`the pull of ${input.imagePinned}`);
      await withHeartbeat((signal) => pull(input.imagePinned, input.deploymentId, signal));
    },

    /** Removes images Berth pulled, skipping any still used by a container. */
    async removeImages(input: { imageIds: string[] }): Promise<string[]> {
      const removed: string[] = [];
      for (const id of input.imageIds) {
        try {
          await docker.getImage(id).remove({ noprune: false });
          removed.push(id);
        } catch (err) {
          if (!isNotFound(err)) log.debug({ imageId: id, err: (err as Error).message }, 'image kept');
        }
      }
      return removed;
    },
  };
}
