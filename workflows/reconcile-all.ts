// The scheduled reconcile (Temporal Schedule berth-reconcile, overlap skipped): every
// environment's containers and route against the database, then orphans (containers and route
// files of nothing retained), then stuck deployments. Every finding is recorded.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { ReconcileEventInput } from '../activities/store/reconcile.js';
import type { ReconcileAllInput, ReconcileSummary } from '../src/domain/workflow-contracts.js';
import { DOCKER, ROUTER, STORE } from './activity-profiles.js';
import { reconcileTarget } from './reconcile-target.js';
import { hostActivities } from './host-activities.js';

/** Marks histories that sweep every live host's orphans, not only the installation's own host's. */
const SWEEP_EVERY_HOST = 'sweep-every-host';
/** How long a host's worker may take to pick the sweep up before it is skipped this pass. */
const HOST_AWAY = '2m';
/** How long another host's sweep waits for its Docker engine before it is skipped this pass. */
const ENGINE_AWAY_MS = 5000;

/** Environments reconciled side by side. */
const PARALLEL = 8;

export async function reconcileAll(input: ReconcileAllInput): Promise<ReconcileSummary> {
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const host = hostActivities(input.hostId, DOCKER);
  const control = proxyActivities<ControlActivities>(ROUTER);

  const targets = await store.reconcileTargets({});
  const events: ReconcileEventInput[] = [];
  for (let i = 0; i < targets.length; i += PARALLEL) {
    const batch = await Promise.all(targets.slice(i, i + PARALLEL).map((t) => reconcileTarget(t, t.hostId ?? input.hostId)));
    events.push(...batch.flat());
  }

  const active = await store.activeDeployments();
  const sweep = {
    keep: Object.fromEntries(targets.map((t) => [t.environmentId, t.keepReleaseIds])),
    activeDeploymentIds: active.map((d) => d.id),
  };
  const orphans = await host.sweepOrphans(sweep);
  if (patched(SWEEP_EVERY_HOST)) {
    // Environments placed on other hosts leave their containers there when removed: each host
    // whose worker beats is swept as well; one that does not take it within HOST_AWAY is skipped.
    for (const hostId of await store.aliveHostIds({ except: input.hostId })) {
      // A host whose worker beats but whose engine is away is skipped after a short wait too.
      orphans.push(...(await hostActivities(hostId, { ...DOCKER, scheduleToStartTimeout: HOST_AWAY }).sweepOrphans({ ...sweep, engineWaitMs: ENGINE_AWAY_MS }).catch(() => [])));
    }
  }
  for (const o of orphans) {
    events.push({ environmentId: o.environmentId, drift: 'container-orphaned', action: 'removed', outcome: 'done', detail: { name: o.name, releaseId: o.releaseId } });
  }
  const stale = await control.removeStaleRoutes({ keepEnvironmentIds: targets.filter((t) => t.live || t.busy).map((t) => t.environmentId) });
  for (const environmentId of stale) events.push({ environmentId, drift: 'route-orphaned', action: 'removed', outcome: 'done' });

  const stuck = await control.checkStuckDeployments(input.stuck);
  events.push(...stuck.events);

  await store.recordReconcileEvents({ trigger: input.trigger, events });
  return {
    environments: targets.length,
    events: events.length,
    orphans: orphans.length,
    staleRoutes: stale.length,
    stuck: stuck.events.filter((e) => e.drift === 'deployment-stuck').length,
  };
}
