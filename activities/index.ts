// The one place every activity group is put together with its clients.
import type { SwarmInit } from '../src/config-shape.js';
import type { Client } from '@temporalio/client';
import type Docker from 'dockerode';
import type { Db } from '../db/client.js';
import type { HostGuards, StaticConfig } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import { createContainerActivities } from './docker/containers.js';
import { createImageActivities } from './docker/images.js';
import { createRetireAndPrune } from './docker/retire-and-prune.js';
import { createTidyRelease } from './docker/tidy-release.js';
import { createCheckStuck, createCleanupBuildCache, createCleanupImages, createHealContainers, createSweepOrphans } from './reconcile/index.js';
import { createReleaseActivities } from './release/index.js';
import { createReconcileStore } from './store/reconcile.js';
import { createHealthActivities } from './health/index.js';
import { createRouterActivities } from './router/index.js';
import { createRoutedServers } from './router/routed-servers.js';
import { createStaticActivities } from './static/index.js';
import { createResolveStack } from './release/resolve-stack.js';
import { createStoreActivities } from './store/index.js';
import { createBuildPlan } from './store/build-plan.js';
import { createStackObjects } from './swarm/stack-objects.js';
import { createHealStack } from './swarm/heal-stack.js';
import { createStackServices } from './swarm/stack-services.js';
import { createVerifyStack } from './swarm/verify-stack.js';
import { createSwarmManagerSteps, createSwarmMemberSteps } from './swarm/swarm-membership.js';
import { createDeploymentLog } from './store/deployment-log.js';
import type { RequestSite } from '../src/domain/deploy-request.js';
import type { SecretBox } from '../src/secrets/secret-box.js';
import { createBuildActivities } from './build/index.js';
import { createEnvironmentContainerActivities } from './docker/environment-containers.js';
import { createEngineGuard } from './docker/engine-guard.js';
import { createEngineRestarts } from './docker/engine-restarts.js';
import { createStackEngineRestart } from './swarm/stack-engine-restart.js';
import { createGitHubActivities } from './github/index.js';
import { createHostApis } from './git-hosts/host-apis.js';
import { createGiteaFeedback } from './git-hosts/gitea/feedback.js';
import { createHostRepositories } from './git-hosts/host-repositories.js';
import { createLaneActivities } from './lanes/index.js';
import { createDrainActivities } from './hosts/drain-host.js';
import { createPlacementActivities } from './hosts/placement-now.js';
import { createPreviewActivities } from './previews/index.js';
import { createDiskGuard, NO_DISK_GUARD } from './docker/disk-guard.js';
import { createBuildLimits, NO_BUILD_LIMITS } from './build/build-limits.js';
import { createDockerRootSpace } from '../src/docker-root-space.js';
import { standbyRelease } from './store/standby.js';
import { stillLive } from './store/still-live.js';
import type { NotificationRetry } from '../src/domain/workflow-contracts.js';
import { createNotificationEmitter } from './notify/emit-notifications.js';
import { createEventNotices } from './notify/event-notices.js';
import { withNotices } from './notify/notice-points.js';
import { createNotificationActivities } from './notify/send-notification.js';
import { DEFAULT_NOTIFICATIONS, type ServiceEndpoints } from './notify/send-to-channel.js';
import { createPruneHistory } from './store/prune-history.js';
import { createCertificateNotices } from './notify/certificate-notices.js';
import { createKeyActivities } from './keys/index.js';
import { createHostNotices, withRotationNotice } from './notify/host-notices.js';

export interface ActivityDeps {
  db: Db;
  docker: Docker;
  /** For activities that act on other workflows: lanes, previews, reconcile cancelling stuck deployments. */
  temporal: Client;
  log: Logger;
  /** Apps answer on <app>.<env>.<appsDomain>. */
  appsDomain: string;
  /** Name of this Berth installation; labels every Docker object it creates. */
  instance: string;
  /** This host's IPv4 address its containers publish on (BERTH_HOST_ADDRESS resolved; default loopback). */
  publishIp?: string;
  /** liveTimeoutMs: how long Traefik may take to apply a route (default ROUTE_LIVE_TIMEOUT_MS). */
  traefik: { routesDir: string; apiUrl: string; entryUrl: string; httpsEntryUrl: string; liveTimeoutMs?: number };
  static: Pick<StaticConfig, 'dir' | 'url' | 'limits'>;
  /** Opens sealed secrets (GitHub App key, build secrets). */
  box: SecretBox;
  /** What deploy requests and GitHub links are made of. */
  site: RequestSite;
  github: { apiUrl: string; webUrl: string };
  /** registry: BERTH_BUILD_REGISTRY (builds on a build host are pushed there). */
  builds: { workspacesDir: string; dockerCli: string; registry?: string | null };
  dockerSocket: string;
  previewIdleSeconds: number;
  /** Host paths stack services may bind-mount (BERTH_STACK_BIND_PATHS). */
  stackBindPaths?: string[];
  /** Unsafe compose keys stack services may have (BERTH_STACK_ALLOW). */
  stackAllow?: string[];
  /** The Swarm made when the engine is in none (BERTH_SWARM_*; default loopback). */
  swarmInit?: SwarmInit;
  /** Build limits and the disk guard (none when not given). */
  guards?: HostGuards;
  /** How notifications are retried and where the hosted services answer (BERTH_NOTIFY_*, BERTH_*_URL). */
  notifications?: { retry: NotificationRetry; endpoints: ServiceEndpoints };
}

/** Activities that run on the host whose Docker engine they use (task queue berth.host.<id>). */
export function createHostActivities(deps: ActivityDeps) {
  const { db, docker, instance, dockerSocket: socketPath } = deps;
  const deploymentLog = createDeploymentLog(db, deps.log);
  const log = deps.log.child({ component: 'docker' });
  const disk = deps.guards ? createDiskGuard({ space: createDockerRootSpace(docker), minFreeBytes: deps.guards.disk.minFreeBytes }) : NO_DISK_GUARD;
  const buildLimits = deps.guards ? createBuildLimits(deps.guards.build) : NO_BUILD_LIMITS;
  const images = createImageActivities({ docker, instance, log, deploymentLog, disk });
  const publishIp = deps.publishIp ?? '127.0.0.1';
  const containers = createContainerActivities({ docker, socketPath, db, box: deps.box, log, instance, publishIp });
  const health = createHealthActivities({ docker, socketPath, log: deps.log.child({ component: 'health' }), deploymentLog });
  const github = createGitHubActivities(deps).client;
  const builds = createBuildActivities({ ...deps, github, deploymentLog, githubWebUrl: deps.github.webUrl, guards: { limits: buildLimits, disk } });
  const objects = createStackObjects(docker, instance);
  const swarmLog = deps.log.child({ component: 'swarm' });
  // The steps on containers and images wait out a restart of the engine and run again from
  // what it kept. Each guards itself as a whole; the parts it calls are not guarded again, so
  // a launch that lost its containers' ports goes back to finding its containers by name.
  const engine = createEngineGuard({ socketPath, log, deploymentLog });
  const swarmEngine = createEngineGuard({
    socketPath,
    log,
    deploymentLog,
    ready: async () => {
      const { Swarm } = await docker.info();
      return Swarm?.LocalNodeState === 'inactive' || Swarm?.ControlAvailable === true;
    },
  });
  const retireAndPrune = createRetireAndPrune({ containers });
  return {
    ...engine.guardAll({
      ...images,
      ...containers,
      ...health,
      ...createReleaseActivities({ db, docker, instance, publishIp, box: deps.box, site: deps.site, images, containers, health, deploymentLog }),
      healContainers: createHealContainers({ containers, health, standbyOf: (environmentId) => standbyRelease(db, environmentId), stillLive: (environmentId, deploymentId) => stillLive(db, environmentId, deploymentId) }),
      sweepOrphans: createSweepOrphans({ db, containers, images, log }),
      retireAndPrune,
      tidyRelease: createTidyRelease({ db, retireAndPrune, images }),
      cleanupImages: createCleanupImages({ db, docker, images }),
      cleanupBuildCache: createCleanupBuildCache({ docker }),
      ...createEnvironmentContainerActivities({ docker, instance }),
      ...createEngineRestarts({ docker, socketPath }),
      ...createStackEngineRestart({ docker, socketPath, instance }),
    }),
    ...createStaticActivities({ db, static: deps.static, traefik: deps.traefik, instance, box: deps.box }),
    ...builds,
    resolveStack: createResolveStack({ db, box: deps.box, site: deps.site, docker, log: swarmLog, instance, images, objects, allowedBindPaths: deps.stackBindPaths ?? [], allowed: deps.stackAllow ?? [], swarmInit: deps.swarmInit, workspacesDir: deps.builds.workspacesDir }),
    // A stack's steps ride out an engine restart too, once its Swarm control is back (a manager's
    // Swarm answers some seconds after the engine; an engine outside any Swarm has nothing to wait for).
    ...swarmEngine.guardAll(createStackServices({ docker, db, box: deps.box, log: swarmLog, instance, objects, health })),
    healStack: createHealStack({ docker, db, box: deps.box, instance, objects }),
    verifyStackRelease: createVerifyStack({ db, docker, box: deps.box, health }),
    ...createSwarmManagerSteps({ docker, log: swarmLog, swarmInit: deps.swarmInit }),
    ...createSwarmMemberSteps({ docker, log: swarmLog, publishIp }),
  };
}

/** Activities of the control plane: the router and the store. */
export function createControlActivities(deps: ActivityDeps) {
  const reconcileStore = createReconcileStore(deps.db, deps.appsDomain, deps.site.httpsPort);
  const store = createStoreActivities(deps.db, deps.box, deps.site);
  const previews = createPreviewActivities({ db: deps.db, site: deps.site });
  const notifications = deps.notifications ?? DEFAULT_NOTIFICATIONS;
  const notifyLog = deps.log.child({ component: 'notifications' });
  const emitter = createNotificationEmitter({ db: deps.db, temporal: deps.temporal, log: notifyLog, retry: notifications.retry });
  const notices = createEventNotices({ db: deps.db, emitter, publicUrl: deps.site.publicUrl });
  const keys = createKeyActivities({ db: deps.db, box: deps.box, log: deps.log.child({ component: 'secret-keys' }) });
  const hostApis = createHostApis({ db: deps.db, box: deps.box });
  const hostFeedback = createGiteaFeedback(hostApis);
  const github = createGitHubActivities(deps).activities;
  const router = createRouterActivities({ db: deps.db, instance: deps.instance, ...deps.traefik, box: deps.box, log: deps.log.child({ component: 'router' }) });
  const noticed = withNotices({ store, reconcile: reconcileStore, previews }, notices);
  const placement = createPlacementActivities({ db: deps.db, hostId: deps.site.hostId });
  /** A deployment's deploy.started notice from its lane; false when it could not be sent (the deploy sends it then). */
  const announceStart = (deploymentId: string) =>
    notices.started(deploymentId).then(
      () => true,
      (err: unknown) => {
        notifyLog.warn({ err, deploymentId }, 'deploy.started not sent by the lane; the deploy sends it');
        return false;
      },
    );
  return {
    ...router,
    ...createRoutedServers(deps.traefik.routesDir, deps.instance),
    ...store,
    ...reconcileStore,
    checkStuckDeployments: createCheckStuck({ temporal: deps.temporal, store: reconcileStore, log: deps.log.child({ component: 'reconcile' }) }),
    ...github,
    ...hostFeedback,
    // One activity for a removed preview, whichever host its commit came from.
    reportEnvironmentRemoved: (input: Parameters<typeof github.reportEnvironmentRemoved>[0]) =>
      input.source.gitHostId ? hostFeedback.reportHostEnvironmentRemoved(input) : github.reportEnvironmentRemoved(input),
    ...createHostRepositories(hostApis),
    ...createLaneActivities({ temporal: deps.temporal }),
    ...createDrainActivities({ db: deps.db, temporal: deps.temporal, site: deps.site }),
    ...placement,
    /**
     * A deployment's turn in its lane: where its environment is placed now, and its deploy.started
     * notice (keyed on the deployment, so a retry sends none twice), side by side in one local
     * activity (workflows/lane-placement.ts). Only the read can fail it: a notice that could not be
     * sent is left to the deploy (`announced: false`), and the placement read stands.
     */
    async placeAndAnnounce(input: { environmentId: string; deploymentId: string }) {
      const [now, announced] = await Promise.all([placement.environmentPlacement(input), announceStart(input.deploymentId)]);
      return { placement: now, announced };
    },
    /**
     * A request that arrives at an idle lane (workflows/lane-placement.ts): recorded with its
     * deploy.queued notice as `enqueueDeployment` records it, then its environment's placement and
     * its deploy.started notice side by side, as `placeAndAnnounce` at its turn — the lane's two
     * local activities in one. Only the record fails it (a retry records nothing twice); an unread
     * placement (`read: false`) is read again by the lane, and an unsent notice left to the deploy.
     */
    async recordAndPlace(input: Parameters<typeof noticed.enqueueDeployment>[0]) {
      await noticed.enqueueDeployment(input);
      const { deploymentId } = input.request;
      const at = { environmentId: input.request.environmentId };
      const reading = placement.environmentPlacement(at).then(
        (now) => ({ read: true, placement: now }),
        (err: unknown) => {
          deps.log.warn({ err, deploymentId }, 'placement not read on arrival; the lane reads it at its turn');
          return { read: false, placement: null };
        },
      );
      const [placed, announced] = await Promise.all([reading, announceStart(deploymentId)]);
      return { ...placed, announced };
    },
    ...createBuildPlan({ db: deps.db, registry: deps.builds.registry ?? null, instance: deps.instance }),
    ...previews,
    // Where events happen, the same writes that also emit them.
    ...noticed,
    /**
     * A rollback to the standby, in the lane's workflow task: recorded as any request, then its
     * route written — one local activity, not two (workflows/standby-switch.ts). Only the record
     * may fail it (writeStandbyRoute answers "not written" on any error of its own), and a retry
     * records nothing twice: the row and the deploy.queued notice are keyed on the deployment id.
     */
    async recordStandbyRollback(input: Parameters<typeof noticed.enqueueDeployment>[0]) {
      // The switch's checks run while the request is recorded; nothing is written before its row
      // is. Its deploy.queued notice goes out meanwhile too: awaited before the answer, so a
      // failed one fails (and retries) the activity as before.
      const recorded = store.enqueueDeployment(input);
      const announced = recorded.then(() => notices.queued(input.request.deploymentId));
      announced.catch(() => undefined); // awaited below, once the route is written
      const written = await router.writeStandbyRoute({ request: input.request, recorded });
      await announced;
      return written;
    },
    ...createNotificationActivities({ db: deps.db, box: deps.box, endpoints: notifications.endpoints, log: notifyLog }),
    ...createPruneHistory(deps.db, deps.log.child({ component: 'retention' })),
    ...createCertificateNotices({ db: deps.db, emitter, appsDomain: deps.appsDomain, httpsEntryUrl: deps.traefik.httpsEntryUrl, httpsPort: deps.site.httpsPort, publicUrl: deps.site.publicUrl }),
    ...keys,
    // The rotation's last step also tells the instance's channels it is done.
    ...withRotationNotice(keys, createHostNotices({ emitter, publicUrl: deps.site.publicUrl })),
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;
export type ControlActivities = ReturnType<typeof createControlActivities>;
