// One service of a stack rollout, as a child workflow of rolloutStack: its Swarm service
// created or updated and gated on its tasks and health (one host activity), then, when it is
// exposed, Traefik switched to it and confirmed. Its phases are recorded under its name.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import { serviceRouteKey, type ServicePlan } from '../src/domain/stack.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { ROUTER, STORE, SWARM } from './activity-profiles.js';
import { PhaseTracker } from './phase-tracker.js';

/** Answers through Traefik, from this deployment, that must pass after a switch. */
const VERIFY_ATTEMPTS = 2;
const VERIFY_TIMEOUT_MS = 2000;

export interface ServiceRolloutInput {
  deploymentId: string;
  appId: string;
  environmentId: string;
  releaseId: string;
  service: ServicePlan;
  /** Host names an exposed service answers on. */
  hosts: string[];
  hostId: string;
}

export interface ServiceRolledOut {
  service: string;
  swarmService: string;
  change: 'created' | 'updated' | 'unchanged';
}

export async function rolloutStackService(input: ServiceRolloutInput): Promise<ServiceRolledOut> {
  const { deploymentId, service } = input;
  const launcher = proxyActivities<HostActivities>({ ...SWARM, taskQueue: hostTaskQueue(input.hostId) });
  const router = proxyActivities<ControlActivities>(ROUTER);
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const phases = new PhaseTracker();
  const report = (writes: PhaseWrite[]) => ({ deploymentId, service: service.name, phases: writes });

  const launched = await launcher.launchStackService({
    report: report([phases.start('update')]),
    appId: input.appId,
    environmentId: input.environmentId,
    releaseId: input.releaseId,
    deploymentId,
    service: service.name,
    completes: service.completes,
  });
  phases.apply(launched.phases);

  if (service.expose && launched.servers.length > 0) {
    const switched = await router.switchRoute({
      report: report([phases.start('route')]),
      route: { environmentId: serviceRouteKey(input.environmentId, service.name), deploymentId, hosts: input.hosts, servers: launched.servers },
      verify: { path: service.expose.path, expectedStatus: 200, attempts: VERIFY_ATTEMPTS, timeoutMs: VERIFY_TIMEOUT_MS },
    });
    phases.apply(switched.phases);
  } else {
    await store.recordPhases(report(phases.skip('route', service.completes ? 'one-shot service' : 'not exposed')));
  }
  return { service: service.name, swarmService: launched.name, change: launched.change };
}
