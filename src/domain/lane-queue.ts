// How a lane's queue changes when a request arrives. Pure, so the workflow and its unit tests
// share it.
import type { DeployRequest } from './deployment.js';

export interface Queued {
  /** Arrival order within the lane. */
  seq: number;
  request: DeployRequest;
}

export interface QueueDecision {
  queued: Queued[];
  /** Deployment ids that will never run. */
  superseded: string[];
  /** The request that now stands for the queue's future (the newest one). */
  winner: string;
}

/**
 * fifo: every request waits its turn, in arrival order.
 * latest-wins: only the newest waiting request survives; older waiting ones are superseded.
 * (The arriving request's policy decides: it carries the environment's current setting.)
 */
export function coalesce(queued: Queued[], arriving: Queued): QueueDecision {
  const all = [...queued, arriving].sort((a, b) => a.seq - b.seq);
  if (arriving.request.queuePolicy === 'fifo') {
    return { queued: all, superseded: [], winner: arriving.request.deploymentId };
  }
  const newest = all[all.length - 1] as Queued;
  return {
    queued: [newest],
    superseded: all.slice(0, -1).map((q) => q.request.deploymentId),
    winner: newest.request.deploymentId,
  };
}
