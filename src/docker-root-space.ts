// Free space on the Docker root (where images, layers, build cache and containers live), as the
// host guards see it: asked of the file system the worker sees. Where the Docker root is not
// visible to the worker (another machine's engine, a container without the mount), there is no
// figure and the guards stand aside.
import { statfs } from 'node:fs/promises';
import type Docker from 'dockerode';

export interface DiskSpace {
  path: string;
  freeBytes: number;
  totalBytes: number;
}

export type DockerRootSpace = () => Promise<DiskSpace | null>;

export function createDockerRootSpace(docker: Docker): DockerRootSpace {
  let root: string | null = null;
  return async function dockerRootSpace() {
    root ??= ((await docker.info()) as { DockerRootDir?: string }).DockerRootDir ?? null;
    if (!root) return null;
    try {
      const s = await statfs(root);
      return { path: root, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') return null;
      throw err;
    }
  };
}

/** 1536 MiB → "1.5 GiB", 300 MiB → "300 MiB". */
export function formatSize(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${Math.round(mib)} MiB`;
}
