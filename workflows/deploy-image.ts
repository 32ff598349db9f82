// The image path to live (apps of kind image; apps of kind git after their build): launch —
// resolve (pull and pin), create, start and the health gate, in one step on the host — then the
// switch of the route, confirmed through Traefik (a failed confirmation switches back; one the
// Docker engine's restart defeated switches again to where the replicas answer now). After
// the commit the old containers drain, are retired (stopped, kept for an instant rollback), and
// releases beyond retention are pruned with their images.
//
// Each step records the phase changes handed to it and those it makes, so progress reaches the
// database without round trips of its own.
import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { HealthCheck } from '../src/domain/app-spec.js';
import type { DeployRequest, DeployResult } from '../src/domain/deployment.js';
import { releaseIdFor } from '../src/domain/ids.js';
import { phasesOfFailure } from '../src/domain/phases.js';
import { keptReleases } from '../src/domain/kept-releases.js';
import { DOCKER, LAUNCH, LEAVE_HOST, WATCH } from './activity-profiles.js';
import { BLUE_GREEN, endPreview, runBlueGreen } from './blue-green.js';
import { CANARY, runCanary } from './canary.js';
import { runDeployment, type DeployKind } from './deployment-skeleton.js';
import { hostActivities } from './host-activities.js';
import { SPREAD_DEPLOY, spreadImageSteps } from './spread-image.js';
import { followReplicas, verifyImageRelease, type SwitchedTo } from './verify-image.js';
import { dropVerdictOfEngine } from './watch-engine.js';
import { buildFirst, type Build } from './build-first.js';

/** Stop timeout given to old containers when they are retired. */
const RETIRE_STOP_SECONDS = 10;
/** Answers through Traefik, from the new deployment, that must pass after a switch. */
const VERIFY_ATTEMPTS = 2;
/** Switches one deploy tries: the first, and one per restart of the engine that moved its replicas. */
const ROUTE_SWITCHES = 3;
/**
 * Marks histories whose failed switch may ask the host where the replicas answer now; older
 * ones went straight to their undo, and replay must find them doing that.
 */
const SWITCH_AFTER_ENGINE_RESTART = 'switch-after-engine-restart';
/**
 * Marks histories whose watch verdict first asks the host whether the engine restarted the
 * release's containers (then the verdict is dropped); older ones rolled back at once.
 */
const WATCH_ENGINE_CHECK = 'watch-engine-check';
/** Marks histories whose dropped watch verdict points the route at where the replicas answer now; older ones left it to reconcile. */
const FOLLOW_AFTER_ENGINE_RESTART = 'follow-after-engine-restart';
/** Marks histories whose retire may keep the previous release running (hot standby); older ones stopped it. */
const HOT_STANDBY = 'hot-standby';
/**
 * Marks histories whose retire and prune are one activity on the host (the retention window
 * read first); older ones ran retire, the window's read, then prune.
 */
const RETIRE_AND_PRUNE = 'retire-and-prune';
/**
 * Marks histories whose tidying is one activity on the host: the retention window, retire, prune
 * and the pulled images no kept release runs; older ones read the window and the prunable images
 * in local activities around it and removed images in a step of their own.
 */
const TIDY_IN_ONE_STEP = 'tidy-in-one-step';

/** Apps of kind image. Registered under its first type name, deployRelease (workflows/index.ts). */
export async function deployImage(request: DeployRequest): Promise<DeployResult> {
  // A spread environment's deploy runs on all its hosts at once (workflows/spread-image.ts).
  if (request.spread && patched(SPREAD_DEPLOY)) return runDeployment(request, spreadImageSteps(request));
  return runDeployment(request, imageSteps(request));
}

/** The image kind's steps; `build` (apps built from source) runs first and returns the image to release. */
export function imageSteps(request: DeployRequest, build?: Build): DeployKind {
  const { deploymentId, environmentId, appId } = request;
  let healthCheck: HealthCheck | null = null;
  let switchedTo: SwitchedTo | null = null;
  /** afterCommit's patch checks, in their order; made early when only local activities lie before them. */
  let cleanup: { standby: boolean; tidy: boolean; retire: boolean } | null = null;
  const decideCleanup = () => {
    if (cleanup) return cleanup;
    const standby = Boolean(request.standbySeconds) && patched(HOT_STANDBY);
    const tidy = patched(TIDY_IN_ONE_STEP);
    cleanup = { standby, tidy, retire: !tidy && patched(RETIRE_AND_PRUNE) };
    return cleanup;
  };
  return {
    async beforeCommit(deploy) {
      const { phases, report, router } = deploy;
      const docker = deploy.onHost(DOCKER);
      const { image, starting } = await buildFirst(deploy, request, build);
      // resolve + create + start + health gate, in one step on the host; it may pull an image
      // and waits out the health gate: its budget is the longest profile
      deploy.progress('launching');
      deploy.undo(async () => {
        await docker.undoLaunch({ deploymentId, environmentId });
      });
      const launched = await deploy.onHost(LAUNCH).launchRelease({
        report: report(phases.next('resolve'), starting),
        deploymentId,
        appId,
        environmentId,
        image: request.kind === 'deploy' ? { ref: image as string, releaseId: releaseIdFor(deploymentId) } : undefined,
        rollbackTo: request.kind === 'rollback' ? request.releaseId : undefined,
      });
      phases.apply(launched.phases);
      const spec = launched.release;
      deploy.releasing(spec.id);

      // canary: the new release beside the stable one, step by step, before the switch to 100 %
      if (request.kind === 'deploy' && request.canary && patched(CANARY)) {
        await runCanary(deploy, { routes: [{ routeKey: environmentId, servers: launched.endpoints.map((e) => e.url) }], settings: request.canary });
      }

      // blue-green: the new release answers on its own host name before the one switch
      const blueGreen = request.kind === 'deploy' && request.blueGreen === true && patched(BLUE_GREEN);
      if (blueGreen) await runBlueGreen(deploy, { servers: launched.endpoints.map((e) => e.url), check: spec.config.healthCheck });

      // route: switch, confirmed through Traefik; a failed confirmation switches back
      deploy.progress('switching traffic');
      deploy.undo(async () => {
        await router.restoreRoute({ environmentId, deploymentId });
      });
      const check = spec.config.healthCheck;
      healthCheck = check;
      const routePhase = [phases.start('route')];
      let endpoints = launched.endpoints;
      for (let switches = 1; ; switches++) {
        try {
          const switched = await router.switchRoute({
            report: report(routePhase),
            route: { environmentId, deploymentId, hosts: request.hosts, servers: endpoints.map((e) => e.url), tls: request.tls },
            verify: { path: check.path, expectedStatus: check.expectedStatus, attempts: VERIFY_ATTEMPTS, timeoutMs: check.timeoutMs },
          });
          phases.apply(switched.phases);
          if (blueGreen) await endPreview(deploy);
          switchedTo = { port: spec.config.port, check, endpoints, confirmations: VERIFY_ATTEMPTS };
          return { id: spec.id, number: spec.number, servers: endpoints.map((e) => e.url) };
        } catch (err) {
          // A Docker engine that restarted since the health gate started the replicas again
          // elsewhere (or left them stopped): Traefik reached none of them. The host says where
          // they answer now (a refresh may wait out a health gate: the launch's profile);
          // unmoved replicas mean the failure was the deployment's own.
          if (isCancellation(err) || switches >= ROUTE_SWITCHES || !patched(SWITCH_AFTER_ENGINE_RESTART)) throw err;
          const now = await deploy.onHost(LAUNCH).refreshEndpoints({ deploymentId, appId, environmentId, releaseId: spec.id, port: spec.config.port, check, endpoints });
          if (!now.moved) throw err;
          endpoints = now.endpoints;
        }
      }
    },

    async verify(deploy, live) {
      if (!switchedTo) throw new Error('verify before the switch');
      return verifyImageRelease(deploy, live, switchedTo);
    },

    async watch(deploy, live, settings) {
      const { phases, report, onHost } = deploy;
      const check = healthCheck as HealthCheck;
      const since = Date.now();
      const watched = await proxyActivities<ControlActivities>(WATCH).watchRelease({
        report: report(phases.next('watch')),
        environmentId,
        servers: live.servers ?? [],
        check: { path: check.path, expectedStatus: check.expectedStatus, timeoutMs: check.timeoutMs },
        watch: settings,
      });
      if (!watched.verdict || watched.skipped || !patched(WATCH_ENGINE_CHECK)) return watched;
      const engine = await onHost(DOCKER).releaseRestartedByEngine({ deploymentId, releaseId: live.id, since });
      const follow = engine && switchedTo && patched(FOLLOW_AFTER_ENGINE_RESTART) ? () => followReplicas(deploy, live, switchedTo as SwitchedTo) : undefined;
      return dropVerdictOfEngine(deploy, watched, engine, follow);
    },

    drain: () => null,

    decideAfterCommit: decideCleanup,

    async afterCommit({ phases, report, store, onHost }, live) {
      const docker = onHost(DOCKER);
      const decided = decideCleanup();
      // Hot standby: the previous release keeps running (and is kept) for the window.
      const standbyReleaseId =
        request.standbySeconds && decided.standby ? await store.keepStandby({ environmentId, deploymentId, liveReleaseId: live.id, seconds: request.standbySeconds }) : null;
      const standbyNote = standbyReleaseId ? `; ${standbyReleaseId} in standby for ${request.standbySeconds} s` : '';
      const keeping = (retained: string[]) => keptReleases(retained, standbyReleaseId);
      const retire = { report: report(phases.next('retire')), environmentId, liveReleaseId: live.id, timeoutSeconds: RETIRE_STOP_SECONDS, standbyReleaseId, standbyNote };
      // Retired before a later part failed: the failure carries the phases recorded, and is the prune phase's.
      const failedAfterRetire = (err: unknown) => {
        phases.apply(phasesOfFailure(err));
        throw err;
      };
      let pruned: { removed: string[]; imageIds: string[] };
      let removedImages: string[];
      if (decided.tidy) {
        const done = await docker.tidyRelease({ ...retire, retention: request.retention }).catch(failedAfterRetire);
        phases.apply(done.phases);
        pruned = done;
        removedImages = done.removedImages;
      } else {
        let keepReleaseIds: string[];
        if (decided.retire) {
          // Retire leaves the database as it was, so the window can be read before it.
          keepReleaseIds = keeping(await store.retainedReleases({ environmentId, liveReleaseId: live.id, retention: request.retention }));
          const done = await docker.retireAndPrune({ ...retire, keepReleaseIds }).catch(failedAfterRetire);
          phases.apply(done.phases);
          pruned = done;
        } else {
          const stopped = await docker.retireContainers({ report: retire.report, environmentId, liveReleaseId: live.id, timeoutSeconds: RETIRE_STOP_SECONDS, standbyReleaseId });
          keepReleaseIds = keeping(await store.retainedReleases({ environmentId, liveReleaseId: live.id, retention: request.retention }));
          pruned = await docker.pruneContainers({ report: report(phases.next('prune', `stopped ${stopped.length} container(s)${standbyNote}`)), environmentId, keepReleaseIds });
        }
        const images = await store.prunableImages({ imageIds: pruned.imageIds, keepReleaseIds });
        removedImages = images.length ? await docker.removeImages({ imageIds: images }) : [];
      }
      const note = `removed ${pruned.removed.length} container(s) and ${removedImages.length} image(s)`;
      // A move: the old host served until the drain ended; nothing of the environment stays there.
      // (Only requests made since moves exist carry `move`, so older histories replay unchanged.)
      if (!request.move) return note;
      const left = await hostActivities(request.move.from, LEAVE_HOST).removeEnvironmentContainers({ environmentId });
      return `${note}; removed ${left} container(s) on host ${request.move.from}`;
    },
  };
}
