// A stack's verified "done", post-switch watch and way back (the deploy skeleton's verify, watch
// and switchBack for kind stack), behind the patch `stack-verify-watch`.
//
// Verify (before the commit): every long-running service's tasks run the image the release
// pinned (on the host), and Traefik's routers for every host name of each exposed service lead
// to that service's new tasks alone (the image kind's routers' check). A failure names the
// service and is undone like any failure before the commit: revert-stack.ts puts every touched
// service back as the live release runs it, routes first.
//
// Watch (after the commit): the exposed services through Traefik (activities/router/watch-stack.ts).
// An exposed service of a new spec is a new Swarm service beside the previous one, which runs on
// until the prune: the way back is first a route switch per exposed service, then the services
// that are not exposed go back to the previous release in Swarm (a service update: they have no
// second copy), so that the previous release's exposed services find them as they were. After
// the drain, the rollout's undo reverts what is left (removes the new exposed services) and
// prunes.
import { ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { DeployRequest } from '../src/domain/deployment.js';
import { serviceTls } from '../src/domain/https.js';
import { switchBackFailures } from '../src/domain/stack-switch-back.js';
import type { WatchSettings } from '../src/domain/post-switch-watch.js';
import { serviceHosts, serviceRouteKey, type StackPlan } from '../src/domain/stack.js';
import { SWARM, WATCH } from './activity-profiles.js';
import type { Deployment, DeployKind, LiveRelease } from './deployment-skeleton.js';
import { describeFailure } from './failure.js';
import { dropVerdictOfEngine } from './watch-engine.js';

/** Marks histories whose stack deployments verify and watch their switch; older ones committed right after the rollout. */
export const STACK_VERIFY_WATCH = 'stack-verify-watch';
/** A route verify that fails after an engine restart follows the verified tasks once (verifyStack). */
const STACK_VERIFY_FOLLOW = 'stack-verify-follow';
/** Marks histories whose stack watch verdict first asks whether the engine restarted the stack (older ones went back at once). */
const STACK_WATCH_ENGINE_CHECK = 'stack-watch-engine-check';
/** Answers through Traefik that confirm a route followed the tasks after an engine restart, each within this time. */
const FOLLOW_CONFIRMATIONS = 2;
const FOLLOW_TIMEOUT_MS = 2000;

/** What the rollout leaves for the steps after it. */
export interface StackScope {
  plan: StackPlan;
  /** Services whose rollout started. */
  touched: string[];
  /** The release live before this deployment, and the deployment that made it live. */
  previousReleaseId: string | null;
  previousDeploymentId: string | null;
}

type WatchResult = Awaited<ReturnType<NonNullable<DeployKind['watch']>>>;

/** The plan's long-running exposed services, with their route key and host names. */
function exposedServices(request: DeployRequest, plan: StackPlan) {
  return Object.values(plan.services)
    .filter((s) => s.expose && !s.completes)
    .map((s) => {
      const expose = s.expose as NonNullable<typeof s.expose>;
      const hosts = serviceHosts(s.name, expose, request.hosts);
      return { name: s.name, routeKey: serviceRouteKey(request.environmentId, s.name), hosts, path: expose.path, tls: serviceTls(request.tls, hosts) };
    });
}

/** The rollout's order, the message its phase ends with. */
export function rolloutOrder(live: LiveRelease, plan: StackPlan): string {
  return `release ${live.number}: ${plan.levels.map((level) => level.join(' + ')).join(' → ')}`;
}

/**
 * The exposed services that serve: one scaled to 0 replicas has no tasks and the rollout writes
 * no route for it, so there is nothing to verify or watch (it would fail every deploy).
 */
function servingServices(request: DeployRequest, plan: StackPlan) {
  return exposedServices(request, plan).filter((s) => plan.services[s.name]?.replicas !== 0);
}

export async function verifyStack(deploy: Deployment, live: LiveRelease, plan: StackPlan): Promise<void> {
  // Stacks had no verify before this patch (the skeleton's own marker is older).
  if (!patched(STACK_VERIFY_WATCH)) return;
  const { request, phases, report, router, store } = deploy;
  deploy.progress('verifying');
  const verified = await deploy.onHost(SWARM).verifyStackRelease({ report: report(phases.next('verify', rolloutOrder(live, plan))), environmentId: request.environmentId, releaseId: live.id });
  const exposed = servingServices(request, plan);
  for (const s of exposed) {
    const servers = verified.find((v) => v.service === s.name)?.servers ?? [];
    const verifyRoute = () => router.verifyRoutes({ report: report([]), environmentId: s.routeKey, hosts: s.hosts, servers });
    try {
      await verifyRoute().catch(async (err: unknown) => {
        // The engine restarted during the rollout: Swarm runs the release's tasks again at new
        // addresses while the route still names the old ones (reconcile leaves a deployment
        // under way alone). The route follows the tasks verified just now, confirmed through
        // Traefik, and is verified once more.
        if (describeFailure(err).type !== 'RouteVerificationFailed' || !patched(STACK_VERIFY_FOLLOW)) throw err;
        await router.switchRoute({
          report: { deploymentId: request.deploymentId, service: s.name, phases: [] },
          route: { environmentId: s.routeKey, deploymentId: request.deploymentId, hosts: s.hosts, servers, tls: s.tls },
          verify: { path: s.path, expectedStatus: 200, attempts: FOLLOW_CONFIRMATIONS, timeoutMs: FOLLOW_TIMEOUT_MS },
          follow: true,
        });
        await verifyRoute();
      });
    } catch (err) {
      const why = describeFailure(err);
      throw ApplicationFailure.nonRetryable(`service ${s.name}: ${why.message}`, why.type);
    }
  }
  const routed = exposed.map((s) => `${s.name} (${s.hosts.length} host name(s))`).join(', ');
  deploy.decideCommit(); // before this record: the commit's own local activities follow it
  await store.recordPhases(report(phases.end('succeeded', `${verified.length} service(s) run the release's images${routed ? `; Traefik routes ${routed} to the new tasks alone` : ''}`)));
}

export async function watchStack(deploy: Deployment, live: LiveRelease, scope: StackScope, settings: WatchSettings): Promise<WatchResult> {
  const { request, phases, report, store } = deploy;
  const services = servingServices(request, scope.plan);
  const skip = !patched(STACK_VERIFY_WATCH)
    ? 'not watched (deployment started before stacks had a watch)'
    : !scope.previousReleaseId || !scope.previousDeploymentId
      ? 'no previous release to go back to'
      : services.length === 0
        ? 'no exposed service to watch'
        : null;
  if (skip) {
    await store.recordPhases(report(phases.skip('watch', skip)));
    return { verdict: null, skipped: true, summary: skip, phases: [] };
  }
  const since = Date.now();
  const watched = await proxyActivities<ControlActivities>(WATCH).watchStackRelease({
    report: report(phases.next('watch')),
    environmentId: request.environmentId,
    deploymentId: request.deploymentId,
    services: services.map(({ routeKey, hosts, path, tls }) => ({ routeKey, hosts, path, tls })),
    watch: settings,
  });
  if (!watched.verdict || watched.skipped || !patched(STACK_WATCH_ENGINE_CHECK)) return watched;
  const engine = await deploy.onHost(SWARM).stackRestartedByEngine({ environmentId: request.environmentId, since });
  return dropVerdictOfEngine(deploy, watched, engine, () => followTasks(deploy, live, services));
}

/** After a restart of the engine: each exposed service's route at the tasks Swarm runs now, confirmed through Traefik. */
async function followTasks(deploy: Deployment, live: LiveRelease, services: ReturnType<typeof servingServices>): Promise<string> {
  const { request, report, router } = deploy;
  // Gated first: tasks Swarm started again may still be booting.
  const verified = await deploy.onHost(SWARM).verifyStackRelease({ report: report([]), environmentId: request.environmentId, releaseId: live.id, gateFor: request.deploymentId });
  // Each settles on its own: one that fails must not leave the others' switches unawaited.
  const followed = await Promise.allSettled(
    services.map(async (s) => {
      const servers = verified.find((v) => v.service === s.name)?.servers ?? [];
      await router.switchRoute({
        report: { deploymentId: request.deploymentId, service: s.name, phases: [] },
        route: { environmentId: s.routeKey, deploymentId: request.deploymentId, hosts: s.hosts, servers, tls: s.tls },
        verify: { path: s.path, expectedStatus: 200, attempts: FOLLOW_CONFIRMATIONS, timeoutMs: FOLLOW_TIMEOUT_MS },
        follow: true,
      });
    }),
  );
  const failure = switchBackFailures('route follow', services.map((s) => s.name), followed, (err) => describeFailure(err).message);
  if (failure) throw ApplicationFailure.nonRetryable(failure, 'RouteFollowFailed');
  return `the routes of ${services.map((s) => s.name).join(', ')} follow the tasks Swarm runs now`;
}

export async function switchBackStack(deploy: Deployment, scope: StackScope): Promise<{ deploymentId: string; note?: string | undefined } | null> {
  const { request, router } = deploy;
  const { deploymentId, environmentId, appId } = request;
  if (!scope.previousReleaseId || !scope.previousDeploymentId) return null;
  const touched = new Set(scope.touched);
  const why = (err: unknown) => describeFailure(err).message;
  // Routes first: the previous release's exposed services still run. A service new in this
  // release has no route to go back to; its route goes. Each settles on its own: one whose
  // router retries ran out must not leave the others unawaited nor hide which one it was.
  const exposed = exposedServices(request, scope.plan).filter((s) => touched.has(s.name));
  const routes = await Promise.allSettled(
    exposed.map(async (s) => {
      const back = await router.switchBack({ environmentId: s.routeKey, deploymentId });
      if (!back) await router.restoreRoute({ environmentId: s.routeKey, deploymentId });
    }),
  );
  // A route still on this release: it is not the previous release that serves. The services
  // that are not exposed stay as this release needs them (reverting them under it would serve a
  // mix of both), and the deployment ends failed without its undo (which would remove the
  // services that route leads to).
  const routeFailure = switchBackFailures('route switch-back', exposed.map((s) => s.name), routes, why);
  if (routeFailure) throw ApplicationFailure.nonRetryable(routeFailure, 'WatchThresholdCrossed');
  // Every route went back: the services that are not exposed go back too, each on its own.
  const swarm = deploy.onHost(SWARM);
  const others = scope.touched.filter((service) => !scope.plan.services[service]?.expose);
  const reverts = await Promise.allSettled(
    others.map((service) => swarm.revertStackService({ appId, environmentId, service, deploymentId, liveReleaseId: scope.previousReleaseId })),
  );
  const revertFailure = switchBackFailures('revert', others, reverts, why);
  // Every route went back: the previous release is live again; the undo retries what failed.
  return { deploymentId: scope.previousDeploymentId, note: revertFailure ?? undefined };
}
