// One service of a stack rollout, as a child workflow of rolloutStack: its Swarm service
// created or updated until its containers run (then the parent hears it: dependents waiting
// for service_started may go), gated on its health, then, when it is exposed, Traefik switched
// to it and confirmed — unless the stack's canary or blue-green holds the route, which the
// parent then moves (stack-strategies.ts). Its phases are recorded under its name.
import { getExternalWorkflowHandle, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import { serviceRouteKey } from '../src/domain/stack.js';
import type { ServiceRolledOut, ServiceRolloutInput } from '../src/domain/workflow-contracts.js';
import { serviceStartedSignal } from '../src/domain/workflow-definitions.js';
import { ROUTER, STORE, SWARM } from './activity-profiles.js';
import { PhaseTracker } from './phase-tracker.js';
import { hostActivities } from './host-activities.js';

/** Answers through Traefik, from this deployment, that must pass after a switch. */
const VERIFY_ATTEMPTS = 2;
const VERIFY_TIMEOUT_MS = 2000;

export async function rolloutStackService(input: ServiceRolloutInput): Promise<ServiceRolledOut> {
  const { deploymentId, service } = input;
  const launcher = hostActivities(input.hostId, SWARM);
  const router = proxyActivities<ControlActivities>(ROUTER);
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const phases = new PhaseTracker();
  const report = (writes: PhaseWrite[]) => ({ deploymentId, service: service.name, phases: writes });

  const target = { appId: input.appId, environmentId: input.environmentId, releaseId: input.releaseId, deploymentId, service: service.name };
  const started = await launcher.startStackService({ ...target, report: report([phases.start('update')]) });
  phases.apply(started.phases);
  const parent = workflowInfo().parent;
  if (parent) await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(serviceStartedSignal, service.name);

  const gated = await launcher.gateStackService({ ...target, report: report([phases.start('health')]), started, completes: service.completes });
  phases.apply(gated.phases);

  // Held: the parent runs the stack's canary or blue-green on it, then switches it.
  if (service.expose && gated.servers.length > 0 && input.holdRoute) {
    return { service: service.name, swarmService: started.name, change: started.change, servers: gated.servers };
  }
  if (service.expose && gated.servers.length > 0) {
    const switched = await router.switchRoute({
      report: report([phases.start('route')]),
      route: { environmentId: serviceRouteKey(input.environmentId, service.name), deploymentId, hosts: input.hosts, servers: gated.servers, tls: input.tls },
      verify: { path: service.expose.path, expectedStatus: 200, attempts: VERIFY_ATTEMPTS, timeoutMs: VERIFY_TIMEOUT_MS },
    });
    phases.apply(switched.phases);
  } else {
    await store.recordPhases(report(phases.skip('route', service.completes ? 'one-shot service' : 'not exposed')));
  }
  return { service: service.name, swarmService: started.name, change: started.change };
}
