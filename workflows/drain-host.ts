// Draining a host by deploys: every environment placed on it moves to the target host, one
// after another, each through its own lane as a deployment of its live release there (the
// same move as POST …/move). One at a time keeps the target's engine and the network to one
// launch and one drain at once. A move that fails leaves that environment on the host, serving,
// and the drain goes on with the next; it ends "drained" or "incomplete", recorded with the host.
import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { DrainHostInput, HostDrain } from '../src/domain/host-drain.js';
import { mintId } from '../src/domain/ids.js';
import { DRAIN, WORKFLOW_CALLS } from './activity-profiles.js';
import { describeFailure } from './failure.js';

export async function drainHost(input: DrainHostInput): Promise<HostDrain> {
  const store = proxyActivities<ControlActivities>(WORKFLOW_CALLS);
  const wait = proxyActivities<ControlActivities>(DRAIN);
  const placed = await store.environmentsOnHost({ hostId: input.hostId });
  const drain: HostDrain = { target: input.target, state: 'moving', total: placed.length, moved: [], failed: [], current: null, startedAt: Date.now(), finishedAt: null };
  const record = () => store.recordDrain({ hostId: input.hostId, drain });
  await record();
  for (const env of placed) {
    drain.current = { environment: env.name, deploymentId: null };
    try {
      // Minted here (deterministic in a workflow), so a retried step queues the same deployment.
      const deploymentId = mintId('dep', Date.now(), Math.random);
      const move = await store.moveEnvironment({ environmentId: env.id, from: input.hostId, target: input.target, deploymentId });
      if (move.deploymentId) {
        drain.current.deploymentId = move.deploymentId;
        await record();
        const ended = await wait.awaitDeployment({ deploymentId: move.deploymentId });
        if (ended.status === 'succeeded') drain.moved.push(env.name);
        else drain.failed.push({ environment: env.name, message: `move ${move.deploymentId} ${ended.status}: ${ended.message ?? ''}` });
      } else {
        drain.moved.push(env.name);
      }
    } catch (err) {
      drain.failed.push({ environment: env.name, message: describeFailure(err).message });
    }
    drain.current = null;
    await record();
  }
  drain.state = drain.failed.length ? 'incomplete' : 'drained';
  drain.finishedAt = Date.now();
  await record();
  return drain;
}
