// The one place every activity group is put together with its clients.
import type Docker from 'dockerode';
import type { Db } from '../db/client.js';
import type { Logger } from '../src/logger.js';
import { createContainerActivities } from './docker/containers.js';
import { createImageActivities } from './docker/images.js';
import { createReleaseActivities } from './release/index.js';
import { createHealthActivities } from './health/index.js';
import { createRouterActivities } from './router/index.js';
import { createResolveStack } from './release/resolve-stack.js';
import { createStoreActivities } from './store/index.js';
import { createStackObjects } from './swarm/stack-objects.js';
import { createStackServices } from './swarm/stack-services.js';
import { createDeploymentLog } from './store/deployment-log.js';

export interface ActivityDeps {
  db: Db;
  docker: Docker;
  log: Logger;
  /** Name of this Berth installation; labels every Docker object it creates. */
  instance: string;
  traefik: { routesDir: string; apiUrl: string; entryUrl: string };
  /** Host paths stack services may bind-mount (BERTH_STACK_BIND_PATHS). */
  stackBindPaths?: string[];
}

/** Activities that run on the host whose Docker engine they use (task queue berth.host.<id>). */
export function createHostActivities(deps: ActivityDeps) {
  const { db, docker, instance } = deps;
  const deploymentLog = createDeploymentLog(db, deps.log);
  const log = deps.log.child({ component: 'docker' });
  const images = createImageActivities({ docker, log, deploymentLog });
  const containers = createContainerActivities({ docker, db, log, instance });
  const health = createHealthActivities({ docker, log: deps.log.child({ component: 'health' }), deploymentLog });
  const objects = createStackObjects(docker, instance);
  const swarmLog = deps.log.child({ component: 'swarm' });
  return {
    ...images,
    ...containers,
    ...health,
    ...createReleaseActivities({ db, images, containers, health }),
    resolveStack: createResolveStack({ db, docker, log: swarmLog, instance, images, objects, allowedBindPaths: deps.stackBindPaths ?? [] }),
    ...createStackServices({ docker, db, log: swarmLog, instance, objects, health }),
  };
}

/** Activities of the control plane: the router and the store. */
export function createControlActivities(deps: ActivityDeps) {
  return {
    ...createRouterActivities({ db: deps.db, ...deps.traefik, log: deps.log.child({ component: 'router' }) }),
    ...createStoreActivities(deps.db),
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;
export type ControlActivities = ReturnType<typeof createControlActivities>;
