// One reconcile pass over one environment: heal its live release's containers on the host,
// then make its route follow them; returns what was found and done (for the event log).
import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { ReconcileEventInput, ReconcileTarget } from '../activities/store/reconcile.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { DOCKER, LAUNCH, ROUTER } from './activity-profiles.js';
import { describeFailure } from './failure.js';

export async function reconcileTarget(target: ReconcileTarget, hostId: string): Promise<ReconcileEventInput[]> {
  const live = target.live;
  // Swarm keeps a stack's tasks running (restart policy) and its rollout owns its routes.
  if (!live || target.busy || target.appKind === 'stack') return [];
  const onHost = { taskQueue: hostTaskQueue(hostId) };
  // Healing may wait out a health gate: the launch profile's budget.
  const healer = proxyActivities<HostActivities>({ ...LAUNCH, ...onHost, retry: { ...DOCKER.retry, maximumAttempts: 3 } });
  const router = proxyActivities<ControlActivities>(ROUTER);
  const environmentId = target.environmentId;
  const events: ReconcileEventInput[] = [];
  try {
    if (target.appKind === 'static') {
      const site = proxyActivities<HostActivities>({ ...DOCKER, ...onHost });
      return await site.healStaticSite({
        environmentId,
        appName: target.appName,
        environmentName: target.environmentName,
        hosts: target.hosts,
        tls: target.tls,
        live: { releaseId: live.releaseId, deploymentId: live.deploymentId },
      });
    }
    const healed = await healer.healContainers({
      appId: target.appId,
      environmentId,
      desired: { releaseId: live.releaseId, deploymentId: live.deploymentId, replicas: live.replicas },
      port: live.port,
      check: live.healthCheck,
    });
    for (const a of healed.actions) {
      events.push({ environmentId, drift: a.drift, action: a.action, outcome: a.outcome, detail: { replica: a.replica, detail: a.detail } });
    }
    if (healed.endpoints.length > 0) {
      const route = { environmentId, deploymentId: live.deploymentId, hosts: target.hosts, servers: healed.endpoints.map((e) => e.url), tls: target.tls };
      const ensured = await router.ensureRoute({ route });
      if (ensured.drift) events.push({ environmentId, drift: ensured.drift, action: 'route-written', outcome: 'done', detail: { servers: route.servers } });
    }
  } catch (err) {
    events.push({ environmentId, drift: 'reconcile-error', action: 'none', outcome: 'failed', detail: describeFailure(err) as unknown as Record<string, unknown> });
  }
  return events;
}
