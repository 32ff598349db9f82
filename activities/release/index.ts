// A deployment's steps on its host, spanning Docker, probes and the store.
import type Docker from 'dockerode';
import type { Db } from '../../db/client.js';
import type { VariableSite } from '../../db/queries/variables.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { createContainerActivities } from '../docker/containers.js';
import type { createImageActivities } from '../docker/images.js';
import type { createHealthActivities } from '../health/index.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { createReleaseStore } from '../store/releases.js';
import { createLaunchRelease } from './launch-release.js';
import { createRefreshEndpoints } from './refresh-endpoints.js';
import { createResolveRelease } from './resolve-release.js';
import { createVerifyReleaseImage } from './verify-release-image.js';

export type { LaunchInput, Launched } from './launch-release.js';
export type { RefreshInput, Refreshed } from './refresh-endpoints.js';

export function createReleaseActivities(deps: {
  db: Db;
  docker: Docker;
  instance: string;
  /** The address containers publish their ports on (the host's, as Traefik reaches it). */
  publishIp: string;
  box: SecretBox;
  site: VariableSite;
  images: ReturnType<typeof createImageActivities>;
  containers: ReturnType<typeof createContainerActivities>;
  health: ReturnType<typeof createHealthActivities>;
  deploymentLog: DeploymentLog;
}) {
  const resolve = createResolveRelease({ ...deps, releases: createReleaseStore(deps.db, deps.box, deps.site) });
  return {
    launchRelease: createLaunchRelease({ ...deps, resolve }),
    refreshEndpoints: createRefreshEndpoints(deps),
    verifyReleaseImage: createVerifyReleaseImage(deps),
  };
}
