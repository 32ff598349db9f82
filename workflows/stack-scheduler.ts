// The order a stack's services roll out in: each starts as soon as its dependencies meet their
// depends_on conditions (started, healthy, completed), the services of a level in parallel, and
// a dependent that only needs its dependency started does not wait for its health. Each service
// is a child workflow (rolloutStackService). The first failure cancels the services still
// rolling out and is thrown, naming the service.
import { ApplicationFailure, CancellationScope, condition, setHandler } from '@temporalio/workflow';
import type { DeployRequest } from '../src/domain/deployment.js';
import { serviceTls } from '../src/domain/https.js';
import { serviceHosts, type ServicePlan, type StackPlan } from '../src/domain/stack.js';
import { serviceStartedSignal } from '../src/domain/workflow-definitions.js';
import { WORKFLOWS, type ServiceRolledOut } from '../src/domain/workflow-contracts.js';
import { stackServiceWorkflowId } from '../src/domain/workflow-ids.js';
import { executeChildWorkflow } from './child-workflows.js';
import { describeFailure } from './failure.js';

type ServiceState = 'pending' | 'running' | 'started' | 'ready' | 'failed';

/** How a stack's canary or blue-green takes part: exposed services' routes held, their rollouts' results kept. */
export interface HeldRoutes {
  rolledOut: ServiceRolledOut[];
}

/**
 * Rolls out every service of `plan`; `touched` gets each service whose rollout started (what a
 * failure puts back). With `held`, exposed services leave their routes as they are and
 * `held.rolledOut` gets every service's result (its new servers among them).
 */
export async function rollOutServices(
  request: DeployRequest,
  plan: StackPlan,
  releaseId: string,
  touched: string[],
  progress: (text: string) => void,
  held?: HeldRoutes,
): Promise<void> {
  const services = plan.levels.flat().map((name) => plan.services[name] as ServicePlan);
  const state = new Map<string, ServiceState>(services.map((s) => [s.name, 'pending']));
  let changes = 0;
  const set = (name: string, to: ServiceState) => {
    state.set(name, to);
    changes++;
  };
  setHandler(serviceStartedSignal, (name) => {
    if (state.get(name) === 'running') set(name, 'started');
  });
  const met = (d: ServicePlan['dependsOn'][number]) =>
    d.condition === 'service_started' ? ['started', 'ready'].includes(state.get(d.service) as string) : state.get(d.service) === 'ready';
  const children = new CancellationScope();
  const inFlight = new Set<Promise<void>>();
  let failure: { service: string; err: unknown } | null = null;
  for (;;) {
    if (!failure) {
      for (const s of services) {
        if (state.get(s.name) !== 'pending' || !s.dependsOn.every(met)) continue;
        set(s.name, 'running');
        touched.push(s.name);
        const run: Promise<void> = children
          .run(() => rollOutService(request, s, releaseId, held !== undefined))
          .then(
            (out) => {
              held?.rolledOut.push(out);
              set(s.name, 'ready');
            },
            (err) => {
              set(s.name, 'failed');
              if (!failure) {
                failure = { service: s.name, err };
                children.cancel();
              }
            },
          )
          .finally(() => inFlight.delete(run));
        inFlight.add(run);
      }
      progress(`rolling out ${[...state].filter(([, v]) => v === 'running' || v === 'started').map(([k]) => k).join(', ')}`);
    }
    if (inFlight.size === 0) break;
    const seen = changes;
    await condition(() => changes !== seen);
  }
  const failed = failure as { service: string; err: unknown } | null;
  if (failed) {
    const why = describeFailure(failed.err);
    throw ApplicationFailure.nonRetryable(`service ${failed.service}: ${why.message}`, why.type);
  }
}

function rollOutService(request: DeployRequest, service: ServicePlan, releaseId: string, holdRoute: boolean) {
  return executeChildWorkflow(WORKFLOWS.rolloutStackService, {
    workflowId: stackServiceWorkflowId(request.deploymentId, service.name),
    args: [
      {
        deploymentId: request.deploymentId,
        appId: request.appId,
        environmentId: request.environmentId,
        releaseId,
        service,
        hosts: service.expose ? serviceHosts(service.name, service.expose, request.hosts) : [],
        tls: service.expose ? serviceTls(request.tls, serviceHosts(service.name, service.expose, request.hosts)) : undefined,
        hostId: request.hostId,
        // Only when held: inputs of rollouts without a strategy stay as they were.
        ...(holdRoute && service.expose ? { holdRoute: true } : {}),
      },
    ],
    workflowTaskTimeout: '4s',
    staticSummary: `${request.appName}/${request.environmentName}: service ${service.name}`,
  });
}
