// An image app spread over several hosts (src/domain/spread.ts): every host launches its share
// of the replicas at once (resolve, create, start, health gate, each on its own task queue), the
// route switches once to the servers of every host, confirmed through Traefik, and the deploy
// verifies each host runs the release. Any failure before the commit — one host's gate, a host
// whose worker vanished (its step is not taken within HOST_AWAY) — undoes every host together:
// the route goes back to the old servers, which were never stopped, and each host removes what
// the deploy made. After the commit each host retires and prunes its own containers.
//
// A git app spread (workflows/deploy-from-git.ts) builds its commit once first, pushes it to the
// registry, and every host pulls that pinned digest; its rollbacks pull the release's digest.
//
// Spread deploys go all at once: canary, blue-green, hot standby and the engine-restart follow of
// single-host deploys are not part of them.
import { ApplicationFailure, isCancellation, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { Endpoint } from '../activities/docker/containers.js';
import type { HealthCheck } from '../src/domain/app-spec.js';
import type { DeployRequest } from '../src/domain/deployment.js';
import { releaseIdFor } from '../src/domain/ids.js';
import type { SpreadShare } from '../src/domain/spread.js';
import { DOCKER, LAUNCH, WATCH } from './activity-profiles.js';
import type { DeployKind } from './deployment-skeleton.js';
import { describeFailure } from './failure.js';
import { hostActivities } from './host-activities.js';
import { buildFirst, type Build } from './build-first.js';

/** Marks histories of deploys spread over several hosts (requests carrying a spread plan). */
export const SPREAD_DEPLOY = 'spread-deploy';
/** How long a spread deploy's step waits for a host's worker to take it: a vanished host ends the deploy instead of holding it. */
const HOST_AWAY = '30s';
const RETIRE_STOP_SECONDS = 10;
const VERIFY_ATTEMPTS = 2;

const onHost = (hostId: string, profile: ActivityOptions): HostActivities => hostActivities(hostId, { ...profile, scheduleToStartTimeout: HOST_AWAY });

/**
 * Runs `step` on every host at once and waits for all of them (an undo must not race a step
 * still running); the first failure, in host order, is rethrown naming its host.
 */
async function onEveryHost<T>(shares: SpreadShare[], step: (share: SpreadShare, index: number) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(shares.map(step));
  const failed = settled.findIndex((r) => r.status === 'rejected');
  if (failed < 0) return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
  const err: unknown = (settled[failed] as PromiseRejectedResult).reason;
  if (isCancellation(err)) throw err;
  const hostId = (shares[failed] as SpreadShare).hostId;
  const { type, message } = describeFailure(err);
  if (type === 'Timeout') throw ApplicationFailure.nonRetryable(`host ${hostId} did not answer (its worker or engine away?): ${message}`, 'Unavailable');
  throw ApplicationFailure.nonRetryable(`host ${hostId}: ${message}`, type);
}

/** `build` (git apps) runs first on a deploy and returns the image every host releases (a pinned digest). */
export function spreadImageSteps(request: DeployRequest, build?: Build): DeployKind {
  const { deploymentId, environmentId, appId } = request;
  const plan = request.spread;
  const shares = plan && 'hosts' in plan ? plan.hosts : [];
  let check: HealthCheck | null = null;
  let port = 0;
  let perHost: Endpoint[][] = [];
  return {
    async beforeCommit(deploy) {
      const { phases, report, router } = deploy;
      if (plan && 'refused' in plan) throw ApplicationFailure.nonRetryable(`cannot spread the environment: ${plan.refused}`, 'Unavailable');
      const { image, starting } = await buildFirst(deploy, request, build);
      deploy.progress(`launching on ${shares.map((s) => s.hostId).join(', ')}`);
      deploy.undo(async () => {
        await Promise.allSettled(shares.map((s) => onHost(s.hostId, DOCKER).undoLaunch({ deploymentId, environmentId })));
      });
      const first = report(phases.next('resolve'), starting);
      const launched = await onEveryHost(shares, (s, i) =>
        onHost(s.hostId, LAUNCH).launchRelease({
          // Every host records its phases (upserts, so they merge); the first leaves the queue.
          report: i === 0 ? first : report([]),
          deploymentId,
          appId,
          environmentId,
          image: request.kind === 'deploy' ? { ref: image as string, releaseId: releaseIdFor(deploymentId) } : undefined,
          rollbackTo: request.kind === 'rollback' ? request.releaseId : undefined,
          replicas: s.replicas,
        }),
      );
      phases.apply((launched[0] as (typeof launched)[number]).phases);
      const spec = (launched[0] as (typeof launched)[number]).release;
      deploy.releasing(spec.id);
      perHost = launched.map((l) => l.endpoints);
      check = spec.config.healthCheck;
      port = spec.config.port;

      deploy.progress('switching traffic');
      deploy.undo(async () => {
        await router.restoreRoute({ environmentId, deploymentId });
      });
      const servers = perHost.flat().map((e) => e.url);
      const switched = await router.switchRoute({
        report: report([phases.start('route')]),
        route: { environmentId, deploymentId, hosts: request.hosts, servers, tls: request.tls },
        verify: { path: check.path, expectedStatus: check.expectedStatus, attempts: VERIFY_ATTEMPTS, timeoutMs: check.timeoutMs },
      });
      phases.apply(switched.phases);
      return { id: spec.id, number: spec.number, servers };
    },

    async verify(deploy, live) {
      deploy.progress('verifying');
      const servers = live.servers ?? [];
      await deploy.router.verifyRoutes({ report: deploy.report(deploy.phases.next('verify')), environmentId, hosts: request.hosts, servers });
      await onEveryHost(shares, (s, i) => onHost(s.hostId, DOCKER).verifyReleaseImage({ releaseId: live.id, servers: (perHost[i] ?? []).length }));
    },

    async watch(deploy, live, settings) {
      const c = check as HealthCheck;
      return proxyActivities<ControlActivities>(WATCH).watchRelease({
        report: deploy.report(deploy.phases.next('watch')),
        environmentId,
        servers: live.servers ?? [],
        check: { path: c.path, expectedStatus: c.expectedStatus, timeoutMs: c.timeoutMs },
        watch: settings,
      });
    },

    drain: () => null,

    async afterCommit({ phases, report, store }, live) {
      const retained = await store.retainedReleases({ environmentId, liveReleaseId: live.id, retention: request.retention });
      await store.recordPhases(report(phases.next('retire')));
      const done = await onEveryHost(shares, async (s) => {
        const docker = onHost(s.hostId, DOCKER);
        const stopped = await docker.retireContainers({ environmentId, liveReleaseId: live.id, timeoutSeconds: RETIRE_STOP_SECONDS });
        const pruned = await docker.pruneContainers({ environmentId, keepReleaseIds: retained });
        const images = await store.prunableImages({ imageIds: pruned.imageIds, keepReleaseIds: retained });
        const removed = images.length ? await docker.removeImages({ imageIds: images }) : [];
        return `${s.hostId}: stopped ${stopped.length}, removed ${pruned.removed.length} container(s) and ${removed.length} image(s)`;
      });
      await store.recordPhases(report(phases.next('prune', done.join('; '))));
      return `on ${shares.length} hosts (port ${port})`;
    },
  };
}
