// One deployment: make a release live without ever sending traffic to a version that is not
// healthy. Before traffic moves, any failure or cancellation undoes this deployment's own work
// (a saga) and the old release keeps serving; once the new one is verified live through
// Traefik, the deployment is committed and drains, retires and prunes what it replaced.
import {
  CancellationScope,
  isCancellation,
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
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { DOCKER, healthGate, PULL, ROUTER, STORE } from './activity-profiles.js';
import { abortDeploySignal, deployProgressQuery, type AbortReason } from '../src/domain/workflow-definitions.js';
import { describeFailure } from './failure.js';
import { PhaseTracker } from './phase-tracker.js';

/** Stop timeout given to old containers when they are retired. */
const RETIRE_STOP_SECONDS = 10;
/** Requests sent through Traefik after a switch, each of which must pass. */
const VERIFY_ATTEMPTS = 2;

type Undo = () => Promise<unknown>;

export async function deployRelease(request: DeployRequest): Promise<DeployResult> {
  const { deploymentId, environmentId } = request;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const router = proxyActivities<ControlActivities>(ROUTER);
  const onHost = { taskQueue: hostTaskQueue(request.hostId) };
  const docker = proxyActivities<HostActivities>({ ...DOCKER, ...onHost });
  const puller = proxyActivities<HostActivities>({ ...PULL, ...onHost });

  const phases = new PhaseTracker();
  let status: DeploymentStatus = 'running';
  let release: ReleaseSpec | null = null;
  let committed = false;
  let abort: AbortReason | null = null;
  const undo: Undo[] = [];
  const beforeCommit = new CancellationScope();

  setHandler(deployProgressQuery, () => ({ deploymentId, status, releaseId: release?.id ?? null, phases: phases.snapshot() }));
  setHandler(abortDeploySignal, (reason) => {
    // Once traffic has moved the deploy finishes; a rollback is the way back.
    if (committed || abort) return;
    abort = reason;
    beforeCommit.cancel();
  });

  const advance = async (writes: ReturnType<PhaseTracker['next']>) => {
    setCurrentDetails(`phase: ${phases.active ?? '-'}`);
    await store.recordPhases({ deploymentId, phases: writes });
  };

  phases.start('queued'); // recorded by the lane when it accepted the request
  await store.beginDeployment({ deploymentId, at: Date.now(), phases: phases.next('resolve') });

  try {
    release = await beforeCommit.run(async () => {
      // resolve: pin what will run
      let spec: ReleaseSpec;
      let retained: string[] | null = null;
      if (request.kind === 'deploy') {
        const image = await puller.resolveImage({ deploymentId, image: request.image as string });
        spec = await store.createRelease({
          deploymentId,
          appId: request.appId,
          environmentId,
          releaseId: releaseIdFor(deploymentId),
          image,
        });
      } else {
        spec = await store.loadRelease({ releaseId: request.releaseId as string, environmentId, deploymentId });
        retained = pickRetained(await docker.listReleaseContainers({ releaseId: spec.id }), spec.config.replicas);
      }
      release = spec;

      // create (or reuse the containers a retained release kept)
      let containerIds: string[];
      if (retained) {
        await advance([...phases.skip('create', `reusing ${retained.length} retained container(s)`), phases.start('start')]);
        containerIds = retained;
        undo.push(() => docker.stopContainers({ containerIds: retained as string[], timeoutSeconds: RETIRE_STOP_SECONDS }));
      } else {
        await advance(phases.next('create', `release ${spec.number} pinned to ${spec.imagePinned}`));
        undo.push(() => docker.removeDeploymentContainers({ deploymentId }));
        if (request.kind === 'rollback') await puller.ensurePinnedImage({ deploymentId, imagePinned: spec.imagePinned });
        containerIds = await docker.createContainers({ deploymentId, appId: request.appId, environmentId, releaseId: spec.id });
        await advance(phases.next('start'));
      }

      // start, then the health gate
      const endpoints = await docker.startContainers({ containerIds, port: spec.config.port });
      await advance(phases.next('health'));
      const check = spec.config.healthCheck;
      await proxyActivities<HostActivities>({ ...healthGate(check), ...onHost }).waitHealthy({ deploymentId, endpoints, check });

      // route: switch, then verify through Traefik; a failed verification switches back
      await advance(phases.next('route'));
      const switched = await router.switchRoute({ route: { environmentId, hosts: request.hosts, servers: endpoints.map((e) => e.url) } });
      undo.push(() => router.restoreRoute({ environmentId, previous: switched.previous }));
      await router.verifyRoute({
        host: request.hosts[0] as string,
        path: check.path,
        expectedStatus: check.expectedStatus,
        attempts: VERIFY_ATTEMPTS,
        timeoutMs: check.timeoutMs,
      });
      committed = true;
      await store.markLive({ environmentId, releaseId: spec.id, deploymentId });
      return spec;
    });
  } catch (err) {
    const reason = abort as AbortReason | null;
    // An abort decides the outcome even when the step it interrupted ended another way.
    const cancelled = reason !== null || isCancellation(err);
    status = cancelled ? (reason?.kind === 'superseded' ? 'superseded' : 'cancelled') : 'failed';
    const failure = cancelled
      ? { message: reason?.kind === 'superseded' ? `superseded by ${reason.by}` : 'cancelled', type: null }
      : describeFailure(err);
    // Undo in reverse, whatever happens to this workflow meanwhile; one failed undo must not
    // stop the others.
    await CancellationScope.nonCancellable(async () => {
      for (const step of undo.reverse()) await step().catch(() => undefined);
      await store.completeDeployment({
        deploymentId,
        status,
        message: failure.message,
        errorType: failure.type,
        supersededBy: reason?.by ?? null,
        at: Date.now(),
        phases: phases.end(cancelled ? 'cancelled' : 'failed', failure.message),
      });
    });
    setCurrentDetails(`${status}: ${failure.message}`);
    return { deploymentId, status, releaseId: release?.id ?? null, message: failure.message, errorType: failure.type };
  }

  // Committed: the new release serves. What follows tidies up and cannot undo the deploy.
  const live = release;
  const notes: string[] = [];
  await advance(phases.next('drain'));
  if (request.drainSeconds > 0) await sleep(request.drainSeconds * 1000);
  await advance(phases.next('retire'));
  try {
    const stopped = await docker.retireContainers({ environmentId, liveReleaseId: live.id, timeoutSeconds: RETIRE_STOP_SECONDS });
    await advance(phases.next('prune', `stopped ${stopped.length} container(s)`));
    const keepReleaseIds = await store.retainedReleases({ environmentId, liveReleaseId: live.id, retention: request.retention });
    const pruned = await docker.pruneContainers({ environmentId, keepReleaseIds });
    const images = await store.prunableImages({ imageIds: pruned.imageIds, keepReleaseIds });
    const removedImages = images.length ? await docker.removeImages({ imageIds: images }) : [];
    notes.push(`removed ${pruned.removed.length} container(s) and ${removedImages.length} image(s)`);
  } catch (err) {
    notes.push(`cleanup incomplete: ${describeFailure(err).message}`);
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
  setCurrentDetails(message);
  return { deploymentId, status, releaseId: live.id, message, errorType: null };
}

/** One container per replica from those a release kept; null when any replica is missing. */
function pickRetained(containers: { id: string; replica: number; deploymentId: string }[], replicas: number): string[] | null {
  const byReplica = new Map<number, string>();
  // Newest deployment first (ids sort by time), so a recreated copy wins over an older one.
  for (const c of [...containers].sort((a, b) => b.deploymentId.localeCompare(a.deploymentId))) {
    if (!byReplica.has(c.replica)) byReplica.set(c.replica, c.id);
  }
  const ids: string[] = [];
  for (let r = 0; r < replicas; r++) {
    const id = byReplica.get(r);
    if (!id) return null;
    ids.push(id);
  }
  return ids;
}
