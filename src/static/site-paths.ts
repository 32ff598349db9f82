// Where a static environment's files live:
//   <static dir>/<app>/<env>/releases/<release id>/   one directory per release
//   <static dir>/<app>/<env>/current                  symlink → releases/<release id>
//   <static dir>/<app>/<env>/incoming/<deployment>.tar.gz   uploads the API checked, until unpacked
// App and environment names are DNS labels (validated by the API), so they are safe path parts.
import { join } from 'node:path';

export interface SitePaths {
  root: string;
  releases: string;
  current: string;
  incoming: string;
  release(releaseId: string): string;
  staged(deploymentId: string): string;
}

export function sitePaths(staticDir: string, appName: string, environmentName: string): SitePaths {
  const root = join(staticDir, appName, environmentName);
  const releases = join(root, 'releases');
  const incoming = join(root, 'incoming');
  return {
    root,
    releases,
    current: join(root, 'current'),
    incoming,
    release: (releaseId) => join(releases, releaseId),
    staged: (deploymentId) => join(incoming, `${deploymentId}.tar.gz`),
  };
}

/** The `current` symlink's target for a release, relative so the tree can move as a whole. */
export function currentTarget(releaseId: string): string {
  return join('releases', releaseId);
}
