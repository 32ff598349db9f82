// One deployment: make a release live without ever sending traffic to a version that is not
// healthy. Before traffic moves, any failure or cancellation undoes this deployment's own work
// (a saga) and the old release keeps serving; once the new one is confirmed live through
// Traefik, the deployment is committed and drains, retires and prunes what it replaced.
//
// The path to live is two activities (launch: resolve, create, start, health; then the switch);
// each records the phase changes handed to it and those it makes, so progress reaches the
// database without round trips of its own.
import {
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { ReleaseSpec } from '../activities/store/index.js';
import type { DeployRequest, DeployResult, DeploymentStatus } from '../src/domain/deployment.js';
import { releaseIdFor } from '../src/domain/ids.js';
import type { PhaseReport, PhaseWrite } from '../src/domain/phases.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { deployProgressQuery } from '../src/domain/workflow-definitions.js';
import { DOCKER, LAUNCH, ROUTER, STORE } from './activity-profiles.js';
import { abandonDeployment, type Undo } from './abandon-deployment.js';
import { PointOfNoReturn } from './point-of-no-return.js';
import { describeFailure } from './failure.js';
import { PhaseTracker } from './phase-tracker.js';

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

/** Steps other kinds of app add to the image path. */
export interface DeploySteps {
  /** Runs first (phase build, before resolve) and returns the image to release. */
  build?: (report: PhaseReport) => Promise<string>;
}

export async function deployRelease(request: DeployRequest, steps: DeploySteps = {}): Promise<DeployResult> {
  const { deploymentId, environmentId, appId } = request;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const router = proxyActivities<ControlActivities>(ROUTER);
  const onHost = { taskQueue: hostTaskQueue(request.hostId) };
  const docker = proxyActivities<HostActivities>({ ...DOCKER, ...onHost });
  // Launch may pull an image and waits out the health gate (so may a refresh of the endpoints):
  // its budget is the longest profile.
  const launcher = proxyActivities<HostActivities>({ ...LAUNCH, ...onHost });

  const phases = new PhaseTracker();
  const report = (writes: PhaseWrite[], running = false) => ({ deploymentId, phases: writes, running });
  let status: DeploymentStatus = 'running';
  let release: ReleaseSpec | null = null;
  const undo: Undo[] = [];
  const noReturn = new PointOfNoReturn();

  setHandler(deployProgressQuery, () => ({ deploymentId, status, releaseId: release?.id ?? null, phases: phases.snapshot() }));
  const progress = (text: string) => setCurrentDetails(`${request.appName}/${request.environmentName}: ${text}`);

  phases.start('queued'); // recorded by the lane when it accepted the request
  try {
    release = await noReturn.beforeCommit.run(async () => {
      // build (apps built from source): the image this deploy releases
      let image = request.image;
      let starting = true;
      if (steps.build && request.kind === 'deploy') {
        progress('building');
        image = await steps.build(report(phases.next('build'), true));
        starting = false;
      }
      // resolve + create + start + health gate, in one step on the host
      progress('launching');
      undo.push(() => docker.undoLaunch({ deploymentId, environmentId }));
      const launched = await launcher.launchRelease({
        report: report(phases.next('resolve'), starting),
        deploymentId,
        appId,
        environmentId,
        image: request.kind === 'deploy' ? { ref: image as string, releaseId: releaseIdFor(deploymentId) } : undefined,
        rollbackTo: request.kind === 'rollback' ? request.releaseId : undefined,
      });
      phases.apply(launched.phases);
      const spec = launched.release;
      release = spec;

      // route: switch, confirmed through Traefik; a failed confirmation switches back
      progress('switching traffic');
      undo.push(() => router.restoreRoute({ environmentId, deploymentId }));
      const check = spec.config.healthCheck;
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
          break;
        } catch (err) {
          // A Docker engine that restarted since the health gate started the replicas again
          // elsewhere (or left them stopped): Traefik reached none of them. The host says where
          // they answer now; unmoved replicas mean the failure was the deployment's own.
          if (isCancellation(err) || switches >= ROUTE_SWITCHES || !patched(SWITCH_AFTER_ENGINE_RESTART)) throw err;
          const now = await launcher.refreshEndpoints({ deploymentId, appId, environmentId, releaseId: spec.id, port: spec.config.port, check, endpoints });
          if (!now.moved) throw err;
          endpoints = now.endpoints;
        }
      }
      noReturn.commit();
      await store.markLive({ environmentId, releaseId: spec.id, deploymentId });
      return spec;
    });
  } catch (err) {
    const ended = await abandonDeployment({ deploymentId, err, abort: noReturn.abort, undo, phases });
    status = ended.status;
    const failure = ended.failure;
    progress(`${status}: ${failure.message}`);
    return { deploymentId, status, releaseId: release?.id ?? null, message: failure.message, errorType: failure.type };
  }

  // Committed: the new release serves. What follows tidies up and cannot undo the deploy.
  const live = release;
  const notes: string[] = [];
  progress(`release ${live.number} live; draining`);
  await store.recordPhases(report([phases.start('drain')]));
  if (request.drainSeconds > 0) await sleep(request.drainSeconds * 1000);
  try {
    const stopped = await docker.retireContainers({
      report: report(phases.next('retire')),
      environmentId,
      liveReleaseId: live.id,
      timeoutSeconds: RETIRE_STOP_SECONDS,
    });
    const keepReleaseIds = await store.retainedReleases({ environmentId, liveReleaseId: live.id, retention: request.retention });
    const pruned = await docker.pruneContainers({
      report: report(phases.next('prune', `stopped ${stopped.length} container(s)`)),
      environmentId,
      keepReleaseIds,
    });
    const images = await store.prunableImages({ imageIds: pruned.imageIds, keepReleaseIds });
    const removedImages = images.length ? await docker.removeImages({ imageIds: images }) : [];
    notes.push(`removed ${pruned.removed.length} container(s) and ${removedImages.length} image(s)`);
  } catch (err) {
    const note = `cleanup incomplete: ${describeFailure(err).message}`;
    notes.push(note);
    await store.recordPhases(report(phases.end('failed', note)));
  }
  status = 'succeeded';
  const message = `release ${live.number} live`;
  await store.completeDeployment({
    deploymentId,
    status,
    message,
    errorType: null,
    at: Date.now(),
    phases: phases.end('succeeded', notes.join('; ') || null),
  });
  progress(message);
  return { deploymentId, status, releaseId: live.id, message, errorType: null };
}
