// A stack rollout's undo: every service whose rollout started goes back as the live release runs
// it (routes first), then what the rollout made and nothing uses is pruned. Recorded as phase
// revert, and per service.
import { serviceRouteKey, type StackPlan } from '../src/domain/stack.js';
import type { Undo } from './abandon-deployment.js';
import { SWARM } from './activity-profiles.js';
import type { Deployment } from './deployment-skeleton.js';
import { describeFailure } from './failure.js';

export interface RevertScope {
  /** Services whose rollout started, in the order they started. */
  touched: string[];
  plan: StackPlan;
  /** The release that was live before this rollout (null: none). */
  liveReleaseId: string | null;
}

/** The undo of a rollout: nothing when no service was touched. */
export function revertStack(deploy: Deployment, scope: RevertScope): Undo {
  return async (ending) => {
    const { touched, liveReleaseId } = scope;
    if (!touched.length) return;
    const writes = deploy.phases.end(ending.outcome, ending.message);
    deploy.progress(`reverting ${touched.join(', ')}`);
    await deploy.store.recordPhases(deploy.report([...writes, deploy.phases.start('revert')]));
    await revertServices(deploy, [...touched].reverse(), scope.plan, liveReleaseId);
    return deploy.phases.end('succeeded', `back to ${liveReleaseId ? 'the live release' : 'nothing (no release was live)'}: ${touched.join(', ')}`);
  };
}

/** Puts services back as the live release runs them (routes first), then removes what it made. */
async function revertServices(deploy: Deployment, services: string[], plan: StackPlan, liveReleaseId: string | null): Promise<void> {
  const { deploymentId, environmentId, appId } = deploy.request;
  const { store, router } = deploy;
  const swarm = deploy.onHost(SWARM);
  await Promise.all(
    services.map(async (service) => {
      const at = Date.now();
      await store.recordPhases({ deploymentId, service, phases: [{ phase: 'revert', outcome: 'running', at }] });
      try {
        if (plan.services[service]?.expose) await router.restoreRoute({ environmentId: serviceRouteKey(environmentId, service), deploymentId });
        const note = await swarm.revertStackService({ appId, environmentId, service, deploymentId, liveReleaseId });
        await store.recordPhases({ deploymentId, service, phases: [{ phase: 'revert', outcome: 'succeeded', message: note, at: Date.now() }] });
      } catch (err) {
        await store.recordPhases({ deploymentId, service, phases: [{ phase: 'revert', outcome: 'failed', message: describeFailure(err).message, at: Date.now() }] });
      }
    }),
  );
  await swarm.pruneStack({ appId, environmentId, liveReleaseId }).catch(() => undefined);
}
