// A stack's teardown (a request of kind teardown): every service, network, secret, config,
// volume and route the stack owns goes, and the environment has no live release any more.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { DeployRequest, DeployResult, DeploymentStatus } from '../src/domain/deployment.js';
import { ROUTER, STORE, SWARM } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import { PhaseTracker } from './phase-tracker.js';
import { hostActivities } from './host-activities.js';

export async function teardownStack(request: DeployRequest): Promise<DeployResult> {
  const { deploymentId, environmentId } = request;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const router = proxyActivities<ControlActivities>(ROUTER);
  const swarm = hostActivities(request.hostId, SWARM);
  const phases = new PhaseTracker();
  phases.start('queued');
  let status: DeploymentStatus = 'succeeded';
  let message: string;
  let errorType: string | null = null;
  try {
    await router.removeStackRoutes({ environmentId, keepServices: [] });
    message = await swarm.teardownStack({ report: { deploymentId, phases: phases.next('teardown'), running: true }, environmentId });
    await store.clearLive({ environmentId });
  } catch (err) {
    status = 'failed';
    ({ message, type: errorType } = describeFailure(err));
  }
  await store.completeDeployment({
    deploymentId,
    status,
    message,
    errorType,
    at: Date.now(),
    phases: phases.end(status === 'succeeded' ? 'succeeded' : 'failed', message),
    endRunning: { outcome: 'failed', message },
  });
  return { deploymentId, status, releaseId: null, message, errorType };
}
