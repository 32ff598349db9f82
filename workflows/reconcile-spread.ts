// Reconcile of a spread environment, host by host: each host the live release runs on heals its
// own share (start what exited, recreate what is gone) on its own task queue, all at once, and
// the route is written with the servers of the hosts that answered. A host whose worker or
// engine is away (its step not taken within HOST_AWAY, or failing) or whose replicas do not
// answer is left out of the route while it is so, and put back once it answers again; when no
// host answers, the route stays as it is (never emptied).
import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { Healed } from '../activities/reconcile/heal-containers.js';
import type { ReconcileEventInput, ReconcileTarget } from '../activities/store/reconcile.js';
import type { SpreadShare } from '../src/domain/spread.js';
import { DOCKER, LAUNCH, ROUTER } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import { hostActivities } from './host-activities.js';

/** Marks histories that heal a spread environment per host; before it, reconcile kept its route's servers. */
export const SPREAD_HEAL_PATCH = 'spread-heal-per-host';

/**
 * How long a host's heal waits for its worker to take it: as a spread deploy's step. Every pass
 * over the environment waits this long for a host whose worker is gone, and its servers stay in
 * the route meanwhile.
 */
const HOST_AWAY = '30s';
/** How long a host's heal waits for its Docker engine: the other hosts serve meanwhile. */
const ENGINE_AWAY_MS = 5000;

type Live = NonNullable<ReconcileTarget['live']>;

/** One host's answer: its servers, or why it is left out of the route. */
type HostOutcome = { hostId: string; healed: Healed; servers: string[] } | { hostId: string; healed?: Healed; away: string; type: string };

export async function reconcileSpread(target: ReconcileTarget, live: Live, shares: SpreadShare[]): Promise<ReconcileEventInput[]> {
  const environmentId = target.environmentId;
  const router = proxyActivities<ControlActivities>(ROUTER);
  const routed = await router.routedServers({ environmentId });
  // Servers a deploy wrote before this one are no reference: every replica is checked then.
  const current = routed?.deploymentId === live.deploymentId ? routed.servers : [];
  const outcomes = await Promise.all(shares.map((s) => healShare(target, live, s, current)));

  const events: ReconcileEventInput[] = [];
  for (const o of outcomes) {
    for (const a of o.healed?.actions ?? []) {
      events.push({ environmentId, drift: a.drift, action: a.action, outcome: a.outcome, detail: { host: o.hostId, replica: a.replica, detail: a.detail } });
    }
  }
  const answered = outcomes.filter((o): o is Extract<HostOutcome, { servers: string[] }> => 'servers' in o && o.servers.length > 0);
  const servers = answered.flatMap((o) => o.servers);
  const kept = servers.length === 0;
  for (const o of outcomes) {
    if ('away' in o) {
      events.push({
        environmentId,
        drift: o.type === 'Unhealthy' ? 'host-unhealthy' : 'host-away',
        action: kept ? 'none' : 'left-out-of-route',
        outcome: 'failed',
        detail: { host: o.hostId, type: o.type, message: o.away, ...(kept ? { route: 'kept: no host answered' } : {}) },
      });
    } else if (!kept && current.length > 0 && o.servers.some((url) => !current.includes(url))) {
      // A host that answers at addresses the route does not list: back, or restarted elsewhere.
      events.push({ environmentId, drift: 'host-returned', action: 'routed', outcome: 'done', detail: { host: o.hostId, servers: o.servers } });
    }
  }

  const route = { environmentId, deploymentId: live.deploymentId, hosts: target.hosts, servers, tls: target.tls };
  const ensured = await router.ensureRoute(kept ? { route, keepServers: true, liveOnly: true } : { route, liveOnly: true });
  if (ensured.drift) {
    const byHost = Object.fromEntries(outcomes.map((o) => [o.hostId, 'away' in o ? 'left out' : o.servers]));
    events.push({ environmentId, drift: ensured.drift, action: 'route-written', outcome: 'done', detail: { servers: kept ? 'kept' : servers, hosts: byHost } });
  }
  return events;
}

/** Heals one host's share; a host away, failing or unhealthy is an outcome, not an error. */
async function healShare(target: ReconcileTarget, live: Live, share: SpreadShare, routed: string[]): Promise<HostOutcome> {
  const healer = hostActivities(share.hostId, { ...LAUNCH, scheduleToStartTimeout: HOST_AWAY, retry: { ...DOCKER.retry, maximumAttempts: 3 } });
  try {
    const healed = await healer.healContainers({
      appId: target.appId,
      environmentId: target.environmentId,
      desired: { releaseId: live.releaseId, deploymentId: live.deploymentId, replicas: live.replicas, replicaIndices: share.replicas },
      port: live.port,
      check: live.healthCheck,
      routed,
      engineWaitMs: ENGINE_AWAY_MS,
      onlyWhileLive: true,
    });
    if (healed.unhealthy) return { hostId: share.hostId, healed, away: healed.unhealthy, type: 'Unhealthy' };
    return { hostId: share.hostId, healed, servers: healed.endpoints.map((e) => e.url) };
  } catch (err) {
    const { type, message } = describeFailure(err);
    return { hostId: share.hostId, away: message, type };
  }
}
