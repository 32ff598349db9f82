// Activities that talk to one Docker engine. A different engine is a different client and
// task queue (berth.host.<id>), never a branch inside these functions.
import type Docker from 'dockerode';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../src/logger.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { createContainerActivities } from './containers.js';
import { createImageActivities } from './images.js';

export type { Endpoint, ContainerSummary } from './containers.js';
export type { ResolvedImage } from './images.js';

export function createDockerActivities(deps: { docker: Docker; db: Db; log: Logger; deploymentLog: DeploymentLog; instance: string }) {
  const log = deps.log.child({ component: 'docker' });
  return {
    ...createImageActivities({ ...deps, log }),
    ...createContainerActivities({ ...deps, log }),
  };
}

export type DockerActivities = ReturnType<typeof createDockerActivities>;
