// The worker process part: activities built with their clients, and the Temporal workers.
import { createControlActivities, createHostActivities } from '../../activities/index.js';
import type { Database } from '../../db/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { startWorkers, type Workers } from '../temporal/worker.js';
import { createDockerClient } from './docker-client.js';

export async function startWorkerProcess(parts: { config: Config; database: Database; log: Logger }): Promise<Workers> {
  const { config, database, log } = parts;
  const deps = {
    db: database.db,
    docker: createDockerClient(config.docker),
    log: log.child({ component: 'activities' }),
    instance: config.instance,
    traefik: { routesDir: config.traefik.routesDir, apiUrl: config.traefik.apiUrl, entryUrl: config.traefik.entryUrl },
    stackBindPaths: config.stackBindPaths,
  };
  const workers = await startWorkers({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    hostId: config.hostId,
    controlActivities: createControlActivities(deps),
    hostActivities: createHostActivities(deps),
    workflowBundlePath: config.temporal.workflowBundle,
    log,
  });
  log.info({ hostId: config.hostId, namespace: config.temporal.namespace }, 'workers polling');
  return workers;
}
