// Where Traefik and Berth's probes reach an exposed service's tasks. A task on the stack's own
// node: its address on this engine's docker_gwbridge (nothing published). A task on another
// host's node (the service pinned there): that host's private address and the port Swarm
// published for the task in host mode (the engine picks one per task; it binds on the host's
// private address only, see gateway-bridge.ts). The address is the node label berth.publish,
// which Berth sets when the host joins through it, after making its docker_gwbridge.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { permanentFailure } from '../../src/errors.js';
import { HOST_NODE_LABEL } from '../../src/compose/placement.js';
import type { SwarmNode } from './node-hosts.js';
import { taskAddresses } from './task-gate.js';

/** Node label: the private address a joined host's published ports bind to. */
export const PUBLISH_NODE_LABEL = 'berth.publish';
const POLL_MS = 50;
/** Swarm reports a task's published port a moment after it runs. */
const TRIES = 100;

interface PortTask {
  NodeID?: string;
  Status?: { ContainerStatus?: { ContainerID?: string }; PortStatus?: { Ports?: { TargetPort?: number; PublishedPort?: number; PublishMode?: string }[] } };
}

/** The local engine's Swarm node id ('' outside a Swarm). */
export async function localNodeId(docker: Docker): Promise<string> {
  return ((await docker.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID ?? '';
}

/** The URL of each running task container of the service (by container id), for its exposed port. */
export async function taskServers(docker: Docker, serviceName: string, containerIds: string[], port: number, signal: AbortSignal): Promise<Map<string, string>> {
  const local = await localNodeId(docker);
  for (let i = 0; ; i++) {
    const tasks = (await docker.listTasks({ filters: { service: [serviceName] } })) as PortTask[];
    const remote = new Map<string, PortTask>();
    for (const t of tasks) {
      const id = t.Status?.ContainerStatus?.ContainerID;
      if (id && containerIds.includes(id) && t.NodeID && local && t.NodeID !== local) remote.set(id, t);
    }
    const found = new Map<string, string>();
    const here = containerIds.filter((id) => !remote.has(id));
    if (here.length) for (const [id, ip] of await taskAddresses(docker, here, signal)) found.set(id, `http://${ip}:${port}`);
    const nodes = remote.size ? ((await docker.listNodes()) as SwarmNode[]) : [];
    for (const [id, t] of remote) {
      const node = nodes.find((n) => n.ID === t.NodeID);
      const address = node?.Spec?.Labels?.[PUBLISH_NODE_LABEL];
      if (!address) {
        const host = node?.Spec?.Labels?.[HOST_NODE_LABEL] ?? t.NodeID;
        throw permanentFailure('Unavailable', `host ${host}'s node has no private publishing address (${PUBLISH_NODE_LABEL}): join it through POST /hosts/${host}/swarm`);
      }
      const published = t.Status?.PortStatus?.Ports?.find((p) => p.TargetPort === port && p.PublishMode === 'host')?.PublishedPort;
      if (published) found.set(id, `http://${address}:${published}`);
    }
    if (found.size === containerIds.length) return found;
    if (i >= TRIES || signal.aborted) throw permanentFailure('ContainerFailed', `tasks of ${serviceName} on another node publish no port for ${port}`);
    await sleep(POLL_MS);
  }
}
