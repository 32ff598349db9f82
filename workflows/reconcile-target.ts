// One reconcile pass over one environment: heal its live release on the host (an image app's
// containers, a static site's files, a stack's Swarm services), then make its routes follow what
// runs; returns what was found and done (for the event log).
import { patched, proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { ReconcileEventInput, ReconcileTarget } from '../activities/store/reconcile.js';
import { serviceTls } from '../src/domain/https.js';
import type { RouteSpec } from '../src/domain/route.js';
import { DOCKER, LAUNCH, ROUTER } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import { hostActivities } from './host-activities.js';
import { reconcileSpread, SPREAD_HEAL_PATCH } from './reconcile-spread.js';

/** Reconcile heals stacks too; histories from before it left them to Swarm. */
export const RECONCILE_STACKS_PATCH = 'reconcile-stacks';

/** A spread environment's route follows its domains and HTTPS; histories from before left it alone. */
export const SPREAD_ROUTE_PATCH = 'spread-route-follow';

/** How long a heal waits for the host's worker to take it. */
const HOST_AWAY = '2m';

type Live = NonNullable<ReconcileTarget['live']>;

export async function reconcileTarget(target: ReconcileTarget, hostId: string): Promise<ReconcileEventInput[]> {
  const live = target.live;
  // A spread environment runs on several hosts; healing it on its one placement host would
  // start every replica there and point the route at them alone. Each host heals its own share
  // instead and the route lists the hosts that answer; a live release deployed before its hosts
  // were recorded keeps its route's servers (following a change of host names or TLS) until its
  // next deploy. The sweep of orphans covers it too (its releases are kept on every host).
  if (live && !target.busy && target.spread && patched(SPREAD_ROUTE_PATCH)) {
    // Its hosts recorded (deploys since they are): healed host by host (workflows/reconcile-spread.ts).
    if (target.spreadHosts?.length && patched(SPREAD_HEAL_PATCH)) {
      return reconcileSpread(target, live, target.spreadHosts).catch((err: unknown) => [
        { environmentId: target.environmentId, drift: 'reconcile-error', action: 'none', outcome: 'failed' as const, detail: describeFailure(err) as unknown as Record<string, unknown> },
      ]);
    }
    return followRoute({ environmentId: target.environmentId, deploymentId: live.deploymentId, hosts: target.hosts, servers: [], tls: target.tls }, true).catch((err: unknown) => [
      { environmentId: target.environmentId, drift: 'reconcile-error', action: 'none', outcome: 'failed' as const, detail: describeFailure(err) as unknown as Record<string, unknown> },
    ]);
  }
  if (!live || target.busy || target.spread) return [];
  if (target.appKind === 'stack' && !patched(RECONCILE_STACKS_PATCH)) return [];
  const environmentId = target.environmentId;
  try {
    if (target.appKind === 'static') {
      return await hostActivities(hostId, { ...DOCKER, scheduleToStartTimeout: HOST_AWAY }).healStaticSite({
        environmentId,
        appName: target.appName,
        environmentName: target.environmentName,
        hosts: target.hosts,
        tls: target.tls,
        live: { releaseId: live.releaseId, deploymentId: live.deploymentId },
      });
    }
    if (target.appKind === 'stack') return await reconcileStack(target, live, hostId);
    return await reconcileContainers(target, live, hostId);
  } catch (err) {
    return [{ environmentId, drift: 'reconcile-error', action: 'none', outcome: 'failed', detail: describeFailure(err) as unknown as Record<string, unknown> }];
  }
}

/** Healing may wait out a health gate: the launch profile's budget, fewer attempts. */
// A host whose worker is away must not hold the whole reconcile: its step gives up unstarted.
const healer = (hostId: string) => hostActivities(hostId, { ...LAUNCH, scheduleToStartTimeout: HOST_AWAY, retry: { ...DOCKER.retry, maximumAttempts: 3 } });

async function reconcileContainers(target: ReconcileTarget, live: Live, hostId: string): Promise<ReconcileEventInput[]> {
  const environmentId = target.environmentId;
  const healed = await healer(hostId).healContainers({
    appId: target.appId,
    environmentId,
    desired: { releaseId: live.releaseId, deploymentId: live.deploymentId, replicas: live.replicas },
    port: live.port,
    check: live.healthCheck,
  });
  const events = healed.actions.map((a) => healEvent(environmentId, a, { replica: a.replica }));
  if (healed.endpoints.length > 0) {
    events.push(
      ...(await followRoute({ environmentId, deploymentId: live.deploymentId, hosts: target.hosts, servers: healed.endpoints.map((e) => e.url), tls: target.tls })),
    );
  }
  return events;
}

/** A stack: its services as the live release has them, each exposed one's route at the tasks that run now. */
async function reconcileStack(target: ReconcileTarget, live: Live, hostId: string): Promise<ReconcileEventInput[]> {
  const environmentId = target.environmentId;
  const healed = await healer(hostId).healStack({
    appId: target.appId,
    environmentId,
    releaseId: live.releaseId,
    deploymentId: live.deploymentId,
    hosts: target.hosts,
  });
  const events = healed.actions.map((a) => healEvent(environmentId, a, { service: a.service }));
  for (const r of healed.routes) {
    const followed = await followRoute({ environmentId: r.routeKey, deploymentId: live.deploymentId, hosts: r.hosts, servers: r.servers, tls: serviceTls(target.tls, r.hosts) });
    events.push(...followed.map((e) => ({ ...e, environmentId, detail: { ...e.detail, service: r.service } })));
  }
  return events;
}

/** One thing a heal found and did, as a reconcile event; `about` says what it concerned. */
function healEvent(
  environmentId: string,
  a: { drift: string; action: string; outcome: ReconcileEventInput['outcome']; detail: unknown },
  about: Record<string, unknown>,
): ReconcileEventInput {
  return { environmentId, drift: a.drift, action: a.action, outcome: a.outcome, detail: { ...about, detail: a.detail } };
}

/** The route as it should be: written again (and confirmed loaded) when it is not. */
async function followRoute(route: RouteSpec, keepServers = false): Promise<ReconcileEventInput[]> {
  const ensured = await proxyActivities<ControlActivities>(ROUTER).ensureRoute({ route, ...(keepServers ? { keepServers } : {}) });
  return ensured.drift ? [{ environmentId: route.environmentId, drift: ensured.drift, action: 'route-written', outcome: 'done', detail: { servers: keepServers ? 'kept' : route.servers } }] : [];
}
