// One deployment: make a release live without ever sending traffic to a version that is not
// healthy. Before traffic moves, any failure or cancellation undoes this deployment's own work
// (a saga) and the old release keeps serving; once the new one is confirmed live through
// Traefik, the deployment is committed and drains, retires and prunes what it replaced.
//
// The path to live is three activities (resolve, launch, switch); each records the phase
// changes handed to it before it works, so progress reaches the database without round trips
// of its own.
import {
  CancellationScope,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { ReleaseSpec } from '../activities/store/index.js';
import { healthGateBudgetMs } from '../src/domain/app-spec.js';
import type { DeployRequest, DeployResult, DeploymentStatus } from '../src/domain/deployment.js';
import { releaseIdFor } from '../src/domain/ids.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { deployProgressQuery } from '../src/domain/workflow-definitions.js';
import { DOCKER, launch, PULL, ROUTER, STORE } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import { BeforeCommit } from './before-commit.js';
import { PhaseTracker } from './phase-tracker.js';

/** Stop timeout given to old containers when they are retired. */
const RETIRE_STOP_SECONDS = 10;
/** Answers through Traefik, from the new deployment, that must pass after a switch. */
const VERIFY_ATTEMPTS = 2;

type Undo = () => Promise<unknown>;

export async function deployRelease(request: DeployRequest): Promise<DeployResult> {
  const { deploymentId, environmentId, appId } = request;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const router = proxyActivities<ControlActivities>(ROUTER);
  const onHost = { taskQueue: hostTaskQueue(request.hostId) };
  const docker = proxyActivities<HostActivities>({ ...DOCKER, ...onHost });
  const resolver = proxyActivities<HostActivities>({ ...PULL, ...onHost });

  const phases = new PhaseTracker();
  const report = (writes: PhaseWrite[], running = false) => ({ deploymentId, phases: writes, running });
  let status: DeploymentStatus = 'running';
  let release: ReleaseSpec | null = null;
  const undo: Undo[] = [];
  const beforeCommit = new BeforeCommit();

  setHandler(deployProgressQuery, () => ({ deploymentId, status, releaseId: release?.id ?? null, phases: phases.snapshot() }));
  const progress = (text: string) => setCurrentDetails(`${request.appName}/${request.environmentName}: ${text}`);

  phases.start('queued'); // recorded by the lane when it accepted the request
  try {
    release = await beforeCommit.run(async () => {
      // resolve: pin what will run (deploy), or find what a retained release kept (rollback)
      progress('resolving');
      const resolved = await resolver.resolveRelease({
        report: report(phases.next('resolve'), true),
        deploymentId,
        appId,
        environmentId,
        image: request.kind === 'deploy' ? { ref: request.image as string, releaseId: releaseIdFor(deploymentId) } : undefined,
        rollbackTo: request.kind === 'rollback' ? request.releaseId : undefined,
      });
      const spec = resolved.release;
      release = spec;

      // create + start + health gate, on the host
      progress(`launching release ${spec.number}`);
      const reuse = resolved.retained;
      let writes: PhaseWrite[];
      if (reuse) {
        writes = [...phases.skip('create', `reusing ${reuse.length} retained container(s)`), phases.start('start')];
        undo.push(() => docker.stopContainers({ containerIds: reuse, timeoutSeconds: RETIRE_STOP_SECONDS }));
      } else {
        writes = phases.next('create', `release ${spec.number} pinned to ${spec.imagePinned}`);
        undo.push(() => docker.removeDeploymentContainers({ deploymentId }));
      }
      const launcher = proxyActivities<HostActivities>({ ...launch(healthGateBudgetMs(spec.config.healthCheck)), ...onHost });
      const launched = await launcher.launchRelease({
        report: report(writes),
        deploymentId,
        appId,
        environmentId,
        release: spec,
        reuse,
        recreate: request.kind === 'rollback',
      });
      phases.apply(launched.phases);

      // route: switch, confirmed through Traefik; a failed confirmation switches back
      progress('switching traffic');
      undo.push(() => router.restoreRoute({ environmentId, deploymentId }));
      const check = spec.config.healthCheck;
      const switched = await router.switchRoute({
        report: report([phases.start('route')]),
        route: { environmentId, deploymentId, hosts: request.hosts, servers: launched.endpoints.map((e) => e.url) },
        verify: { path: check.path, expectedStatus: check.expectedStatus, attempts: VERIFY_ATTEMPTS, timeoutMs: check.timeoutMs },
      });
      phases.apply(switched.phases);
      beforeCommit.commit();
      await store.markLive({ environmentId, releaseId: spec.id, deploymentId });
      return spec;
    });
  } catch (err) {
    const { cancelled, failure, supersededBy, ...ended } = beforeCommit.outcome(err);
    status = ended.status;
    // Undo in reverse, whatever happens to this workflow meanwhile; one failed undo must not
    // stop the others.
    await CancellationScope.nonCancellable(async () => {
      for (const step of undo.reverse()) await step().catch(() => undefined);
      const outcome = cancelled ? 'cancelled' : 'failed';
      await store.completeDeployment({
        deploymentId,
        status,
        message: failure.message,
        errorType: failure.type,
        supersededBy,
        at: Date.now(),
        phases: phases.end(outcome, failure.message),
        endRunning: { outcome, message: failure.message },
      });
    });
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
