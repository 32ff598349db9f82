// The worker process part: activities built with their clients, and the Temporal workers.
import { createControlActivities, createHostActivities } from '../../activities/index.js';
import type { Database } from '../../db/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createSecretBox, loadSecretKey } from '../secrets/secret-box.js';
import { createTemporalClient } from '../temporal/client.js';
import { ensureRepositorySyncSchedule } from '../temporal/repository-sync-schedule.js';
import { startWorkers, type Workers } from '../temporal/worker.js';
import { createDockerClient } from './docker-client.js';

export async function startWorkerProcess(parts: { config: Config; database: Database; log: Logger }): Promise<Workers> {
  const { config, database, log } = parts;
  const temporal = await createTemporalClient(config.temporal);
  const deps = {
    db: database.db,
    docker: createDockerClient(config.docker),
    log: log.child({ component: 'activities' }),
    instance: config.instance,
    traefik: { routesDir: config.traefik.routesDir, apiUrl: config.traefik.apiUrl, entryUrl: config.traefik.entryUrl },
    temporal,
    box: createSecretBox(loadSecretKey(config.secrets)),
    site: { appsDomain: config.appsDomain, hostId: config.hostId, traefikPort: config.traefik.port, publicUrl: config.api.publicUrl },
    github: { apiUrl: config.github.apiUrl, webUrl: config.github.webUrl },
    builds: config.builds,
    dockerSocket: config.docker.socketPath,
    previewIdleSeconds: config.previews.idleSeconds,
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
  await ensureRepositorySyncSchedule(temporal, config.github.repoSyncMinutes);
  log.info({ hostId: config.hostId, namespace: config.temporal.namespace }, 'workers polling');
  return {
    ...workers,
    async shutdown() {
      await workers.shutdown();
      await temporal.connection.close();
    },
  };
}
