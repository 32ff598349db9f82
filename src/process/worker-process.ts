// The worker process part: activities built with their clients, the Temporal workers, Berth's
// schedules, and the Docker events listener that triggers targeted reconciles.
import { createControlActivities, createHostActivities } from '../../activities/index.js';
import type { Database } from '../../db/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createSecretBox, loadSecretKey } from '../secrets/secret-box.js';
import { staticSiteToken } from '../secrets/static-site-token.js';
import { watchKeyRing } from './key-ring-watch.js';
import { sealPlainSecretValues } from '../../db/queries/sealed-fields.js';
import { createTemporalClient } from '../temporal/client.js';
import { ensureRepositorySyncSchedule } from '../temporal/repository-sync-schedule.js';
import { ensureSchedules } from '../temporal/schedules.js';
import { startWorkers, type Workers } from '../temporal/worker.js';
import { createDockerClient } from './docker-client.js';
import { createDockerRootSpace } from '../docker-root-space.js';
import { listenForContainerEvents } from './docker-events.js';
import { watchDiskSpace } from './disk-watch.js';
import { createReconcileTriggers } from './reconcile-triggers.js';
import { environmentNames } from '../../db/queries/environment-names.js';
import { createContainerSampler } from '../metrics/container-sampler.js';
import { startWorkerMetrics, type WorkerMetrics } from '../metrics/worker-metrics.js';
import { startHostHeartbeat } from './host-heartbeat.js';
import { startSwarmNodeRecord } from './swarm-node-record.js';
import { createNotificationEmitter } from '../../activities/notify/emit-notifications.js';
import { createEventNotices } from '../../activities/notify/event-notices.js';
import { createHostNotices } from '../../activities/notify/host-notices.js';
import { startRuntimeWatch } from './runtime-watch.js';
import { startSampleLoop } from './sample-loop.js';
import { publishAddress } from '../host-addresses.js';
import { startStaticServer } from '../services/static-server.js';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long shutdown waits for what container events set going (see `handling`). */
const HANDLING_WAIT_MS = 10_000;

/**
 * hostOnly: a host's own worker (`berth worker --host ID`): that host's activities only; the
 * workflows, control activities and schedules run on the installation's main worker.
 */
export async function startWorkerProcess(parts: { config: Config; database: Database; log: Logger; hostOnly?: boolean }): Promise<Workers & { metrics: WorkerMetrics | null }> {
  const { config, database, log } = parts;
  const docker = createDockerClient(config.docker);
  const keys = await watchKeyRing(database.db, loadSecretKey(config.secrets), log.child({ component: 'secret-keys' }), config.secrets.previousKey);
  const temporal = await createTemporalClient(config.temporal, keys.ring);
  const sealedNow = await sealPlainSecretValues(database.db, createSecretBox(keys.ring));
  if (sealedNow > 0) log.warn({ count: sealedNow }, 'secret variables stored in plain text were sealed');
  const publishIp = await publishAddress(config.host.address);
  // A host serving static sites runs the static server itself, on its private address only.
  const staticServer = config.static.serve
    ? await startStaticServer(config.static.nginxBinary, {
        dir: join(config.dataDir, 'static-server'),
        staticDir: config.static.dir,
        port: config.static.port,
        address: publishIp,
        token: staticSiteToken(keys.ring),
      })
    : null;
  const deps = {
    db: database.db,
    docker,
    publishIp,
    temporal,
    log: log.child({ component: 'activities' }),
    instance: config.instance,
    appsDomain: config.appsDomain,
    traefik: { routesDir: config.traefik.routesDir, apiUrl: config.traefik.apiUrl, entryUrl: config.traefik.entryUrl, httpsEntryUrl: config.traefik.httpsEntryUrl },
    static: staticServer ? { ...config.static, url: staticServer.url } : config.static,
    box: createSecretBox(keys.ring),
    site: { appsDomain: config.appsDomain, hostId: config.hostId, traefikPort: config.traefik.port, httpsPort: config.traefik.httpsPublicPort, publicUrl: config.api.publicUrl, watchSeconds: config.deploys.watchSeconds },
    github: { apiUrl: config.github.apiUrl, webUrl: config.github.webUrl },
    builds: config.builds,
    dockerSocket: config.docker.socketPath,
    previewIdleSeconds: config.previews.idleSeconds,
    stackBindPaths: config.stackBindPaths,
    stackAllow: config.stackAllow,
    swarmInit: config.host.swarm,
    guards: config.guards,
    notifications: config.notifications,
  };
  const workers = await startWorkers({
    address: config.temporal.address,
    tls: config.temporal.tls,
    namespace: config.temporal.namespace,
    hostId: config.hostId,
    ...(parts.hostOnly ? {} : { controlActivities: createControlActivities(deps) }),
    hostActivities: createHostActivities(deps),
    workflowBundlePath: config.temporal.workflowBundle,
    metricsAddress: config.metrics.temporalListen,
    ring: keys.ring,
    log,
  });
  if (!parts.hostOnly) {
    await ensureSchedules(temporal, config);
    await ensureRepositorySyncSchedule(temporal, config.github.repoSyncMinutes);
  }
  const heartbeat = startHostHeartbeat({ db: database.db, hostId: config.hostId, address: config.host.address, seconds: config.host.heartbeatSeconds, log: log.child({ component: 'host-heartbeat' }) });
  const swarmNodes = parts.hostOnly ? null : startSwarmNodeRecord({ db: database.db, docker, seconds: config.host.heartbeatSeconds, log: log.child({ component: 'swarm-nodes' }) });
  const triggersLog = log.child({ component: 'reconcile-triggers' });
  const triggers = createReconcileTriggers({ temporal, db: database.db, config, log: triggersLog, hostOnly: parts.hostOnly ?? false });
  // Runtime events (health, restart loops, OOM kills, the disk) go to the channels as the activities' events do.
  const emitter = createNotificationEmitter({ db: database.db, temporal, log: log.child({ component: 'notifications' }), retry: config.notifications.retry });
  const notices = createEventNotices({ db: database.db, emitter, publicUrl: config.api.publicUrl });
  const hostNotices = createHostNotices({ emitter, publicUrl: config.api.publicUrl });
  const metricsLog = log.child({ component: 'worker-metrics' });
  const sampler = createContainerSampler({ docker, names: (ids) => environmentNames(database.db, ids), instance: config.instance, log: metricsLog });
  const runtimeLog = log.child({ component: 'runtime-watch' });
  const runtime = startRuntimeWatch({
    db: database.db,
    docker,
    instance: config.instance,
    publishIp,
    healthSeconds: config.notifications.runtime.healthSeconds,
    restartLoop: config.notifications.runtime.restartLoop,
    notify: notices.runtime,
    countOomKill: config.metrics.workerListen ? (labels) => sampler.countOomKill(labels) : undefined,
    log: runtimeLog,
  });
  // What events set going, awaited at shutdown before the Temporal connection closes: a start
  // cut by the close would be retried by the client on the closed channel and throw.
  const handling = new Set<Promise<void>>();
  const handle = (work: Promise<void>) => {
    const tracked = work.finally(() => handling.delete(tracked));
    handling.add(tracked);
  };
  // One events stream serves both: reconcile's triggers (when enabled) and the runtime watch.
  const listener = listenForContainerEvents({
    docker,
    instance: config.instance,
    log: triggersLog,
    onEvent: (event) => {
      if (config.reconcile.dockerEvents) handle(triggers.onEvent(event).catch((err: unknown) => triggersLog.warn({ err }, 'reconcile trigger failed')));
      handle(runtime.onContainerEvent(event).catch((err: unknown) => runtimeLog.warn({ err, event: event.event }, 'runtime event not handled')));
    },
    onReconnect: () => {
      if (config.reconcile.dockerEvents) handle(triggers.onReconnect());
    },
  });
  const diskWatch = watchDiskSpace({
    temporal,
    config,
    space: createDockerRootSpace(docker),
    log: log.child({ component: 'disk-watch' }),
    notifyLow: (low) => hostNotices.diskLow({ ...low, hostId: config.hostId }),
  });
  const sampling = startSampleLoop({ db: database.db, sampler, seconds: config.metrics.sampleSeconds, traefikApiUrl: config.traefik.apiUrl, log: metricsLog });
  const metrics = config.metrics.workerListen
    ? await startWorkerMetrics({
        listen: config.metrics.workerListen,
        sampler,
        log: metricsLog,
      })
    : null;
  log.info({ hostId: config.hostId, namespace: config.temporal.namespace, hostOnly: parts.hostOnly ?? false }, 'workers polling');
  return {
    ...workers,
    metrics,
    async shutdown() {
      await metrics?.stop();
      heartbeat.stop();
      swarmNodes?.stop();
      listener.stop();
      runtime.stop();
      // Bounded: a Temporal or database that is away does not hold the shutdown.
      await Promise.race([Promise.all(handling), sleep(HANDLING_WAIT_MS, undefined, { ref: false })]);
      sampling.stop();
      diskWatch.stop();
      keys.stop();
      await workers.shutdown();
      await staticServer?.stop();
      await temporal.connection.close();
    },
  };
}
