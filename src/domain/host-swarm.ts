// A host's membership of the installation's Docker Swarm, joined and left through the API
// (POST/DELETE /hosts/{id}/swarm) by the joinSwarm and leaveSwarm workflows: the join token is
// read from the manager and handed to the host's own worker inside Temporal payloads only
// (encrypted by the payload codec), never stored.

/** What GET /hosts shows of a host's Swarm node, as the manager sees it. */
export interface HostSwarm {
  nodeId: string;
  /** The manager's view of the node: ready, down, unknown, disconnected. */
  state: string;
  /** active, pause or drain. */
  availability: string;
  role: 'manager' | 'worker';
  /** Epoch milliseconds of the reading. */
  checkedAt: number;
}

export interface JoinSwarmInput {
  hostId: string;
  /** The installation's own host: its engine is the Swarm's manager. */
  managerHostId: string;
  /**
   * The host's registered address (what its worker binds docker_gwbridge to): the node's
   * berth.publish label. Absent in joins started before it was passed.
   */
  publishAddress?: string;
}

export interface SwarmJoined {
  hostId: string;
  nodeId: string;
  /** False when the host's engine was in the Swarm already (nothing changed). */
  joined: boolean;
}

export interface LeaveSwarmInput {
  hostId: string;
  managerHostId: string;
  /** The host is draining (PATCH draining: true): its node may be drained of running tasks. */
  drained: boolean;
}

export interface SwarmLeft {
  hostId: string;
  /** null: the host had no node in the Swarm (nothing changed). */
  nodeId: string | null;
}

/** One membership change per host at a time: a join and a leave share the id. */
export const swarmWorkflowId = (hostId: string) => `host-swarm-${hostId}`;

/** How long a host's worker may take to pick up its step before the join or leave fails. */
export const HOST_WORKER_PICKUP = '20s';
