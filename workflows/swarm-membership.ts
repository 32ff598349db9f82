// A host's engine joins or leaves the installation's Swarm: steps on two queues — the manager's
// (the installation's own host) and the host's own worker — so a crash between them resumes
// where it stopped instead of leaving a half-joined node nobody knows of. The worker join token
// travels only in this workflow's payloads, which the payload codec encrypts (src/temporal).
// A host's step must be picked up within HOST_WORKER_PICKUP: a host whose worker does not
// answer ends the workflow (the API answers 504) with nothing changed on that host.
import { proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import { HOST_WORKER_PICKUP, type JoinSwarmInput, type LeaveSwarmInput, type SwarmJoined, type SwarmLeft } from '../src/domain/host-swarm.js';
import { DOCKER, STORE, SWARM } from './activity-profiles.js';
import { hostActivities } from './host-activities.js';

/** The host's side: no retry of a step its worker never picked up (the pickup bound is the point). */
const onHost = (hostId: string) => hostActivities(hostId, { ...DOCKER, scheduleToStartTimeout: HOST_WORKER_PICKUP });

export async function joinSwarm(input: JoinSwarmInput): Promise<SwarmJoined> {
  const manager = hostActivities(input.managerHostId, SWARM);
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const ticket = await manager.readSwarmJoinTicket({ hostId: input.hostId, remote: input.hostId !== input.managerHostId });
  let nodeId = ticket.nodeId;
  const joined = nodeId === null;
  if (nodeId === null) {
    nodeId = await onHost(input.hostId).joinSwarmAsWorker({ hostId: input.hostId, token: ticket.token, managerAddress: ticket.managerAddress });
    await manager.labelSwarmNode({ hostId: input.hostId, nodeId, publishAddress: input.publishAddress });
  }
  await store.recordHostSwarm({ hostId: input.hostId, swarm: await manager.readHostSwarm({ hostId: input.hostId }) });
  return { hostId: input.hostId, nodeId, joined };
}

export async function leaveSwarm(input: LeaveSwarmInput): Promise<SwarmLeft> {
  const manager = hostActivities(input.managerHostId, SWARM);
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const nodeId = await manager.drainSwarmNode({ hostId: input.hostId, drained: input.drained });
  if (nodeId !== null) {
    await onHost(input.hostId).leaveSwarmAsWorker({ hostId: input.hostId });
    await manager.removeSwarmNode({ nodeId });
  }
  await store.recordHostSwarm({ hostId: input.hostId, swarm: null });
  return { hostId: input.hostId, nodeId };
}
