// A host's engine joining and leaving the installation's Swarm, as Berth's own steps: the
// manager's side (its join token and address, the node's berth.host label, drain and removal)
// runs on the installation's own host queue, the joining engine's side on that host's queue, so
// no step needs SSH. The token goes from one to the other in the workflow's (encrypted) payloads
// and is never logged or stored. Each step is idempotent: a retry finds what the last one did.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { SwarmInit } from '../../src/config-shape.js';
import { HOST_NODE_LABEL, pinnedHosts } from '../../src/compose/placement.js';
import { permanentFailure, retryableFailure } from '../../src/errors.js';
import type { HostSwarm } from '../../src/domain/host-swarm.js';
import type { Logger } from '../../src/logger.js';
import { withHeartbeat } from '../heartbeat.js';
import { ensureSwarm } from './ensure-swarm.js';
import { ensureGatewayBridge } from './gateway-bridge.js';
import { labelHostNode, type SwarmNode } from './node-hosts.js';
import { PUBLISH_NODE_LABEL } from './task-servers.js';

const SWARM_PORT = 2377;
const POLL_MS = 500;
/** A drained node's tasks stop within their stop grace; a joined node is ready within seconds. */
const DRAIN_WAIT_MS = 90_000;
const READY_WAIT_MS = 60_000;

type Node = SwarmNode;
type Info = { Swarm?: { LocalNodeState?: string; NodeID?: string; NodeAddr?: string; ControlAvailable?: boolean; RemoteManagers?: { NodeID: string; Addr: string }[] | null } };

export interface JoinTicket {
  /** The node already labelled as this host (nothing to join), else null. */
  nodeId: string | null;
  token: string;
  /** host:port the joining engine reaches the manager at. */
  managerAddress: string;
}

const loopback = (address: string) => /^(127\.|::1$|localhost$)/.test(address);

async function hostNode(docker: Docker, hostId: string): Promise<Node | undefined> {
  return ((await docker.listNodes()) as Node[]).find((n) => n.Spec?.Labels?.[HOST_NODE_LABEL] === hostId);
}

/** The manager's view of every host's node, by its berth.host label (what GET /hosts shows). */
export async function readHostNodes(docker: Docker): Promise<Map<string, HostSwarm>> {
  const out = new Map<string, HostSwarm>();
  const checkedAt = Date.now();
  for (const n of (await docker.listNodes()) as Node[]) {
    const host = n.Spec?.Labels?.[HOST_NODE_LABEL];
    if (!host) continue;
    out.set(host, { nodeId: n.ID, state: n.Status?.State ?? 'unknown', availability: n.Spec?.Availability ?? 'unknown', role: n.Spec?.Role === 'manager' ? 'manager' : 'worker', checkedAt });
  }
  return out;
}

async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw retryableFailure('Unavailable', `${what} did not happen within ${ms / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** The manager's steps: on the installation's own host. */
export function createSwarmManagerSteps(deps: { docker: Docker; log: Logger; swarmInit?: SwarmInit | undefined }) {
  const { docker, log } = deps;
  return {
    /** The worker join token and the manager's address (the Swarm made first, as stacks do). */
    async readSwarmJoinTicket(input: { hostId: string; remote: boolean }): Promise<JoinTicket> {
      const swarm = await withHeartbeat(() => ensureSwarm(docker, log, deps.swarmInit));
      const info = (await docker.info()) as Info;
      const address = info.Swarm?.NodeAddr ?? '';
      const own = info.Swarm?.RemoteManagers?.find((m) => m.NodeID === swarm.nodeId)?.Addr ?? `${address}:${SWARM_PORT}`;
      const node = await hostNode(docker, input.hostId);
      if (node && node.Status?.State === 'ready') return { nodeId: node.ID, token: '', managerAddress: own };
      if (input.remote && loopback(address)) {
        throw permanentFailure('Conflict', `the Swarm's manager advertises ${address}, a loopback address host ${input.hostId} cannot reach: set BERTH_SWARM_ADVERTISE_ADDR to a private address before the Swarm is made`);
      }
      const inspect = (await docker.swarmInspect()) as { JoinTokens?: { Worker?: string } };
      if (!inspect.JoinTokens?.Worker) throw retryableFailure('Unavailable', 'the Swarm gave no worker join token');
      return { nodeId: null, token: inspect.JoinTokens.Worker, managerAddress: own };
    },

    /** The host's node as the manager sees it now (null: none is labelled as the host). */
    async readHostSwarm(input: { hostId: string }): Promise<HostSwarm | null> {
      return (await readHostNodes(docker)).get(input.hostId) ?? null;
    },

    /** Labels the node berth.host=<host> (what x-berth.host pins to) and waits until it is ready. */
    async labelSwarmNode(input: { hostId: string; nodeId: string; publishAddress?: string | undefined }): Promise<void> {
      await withHeartbeat(() =>
        // berth.publish: the host's registered address, the one its worker bound docker_gwbridge
        // to before joining (joinSwarmAsWorker; the worker registers that very address). The
        // node's Status.Addr is only where the manager saw its connection come from (NAT or
        // several interfaces make it differ); it stands in for joins begun before the address
        // was passed.
        until(`node ${input.nodeId} ready`, READY_WAIT_MS, async () => {
          const publish = (n: SwarmNode): Record<string, string> => {
            const address = input.publishAddress ?? n.Status?.Addr;
            return n.Status?.State === 'ready' && address ? { [PUBLISH_NODE_LABEL]: address } : {};
          };
          const node = await labelHostNode(docker, input.nodeId, input.hostId, publish);
          return node?.Status?.State === 'ready' && Boolean(node.Status.Addr);
        }),
      );
      log.info({ hostId: input.hostId, nodeId: input.nodeId }, 'swarm node labelled');
    },

    /**
     * Before a host leaves: refused while a service is pinned to it, or while tasks run on its
     * node and the host is not draining; otherwise the node is drained and its tasks waited out.
     */
    async drainSwarmNode(input: { hostId: string; drained: boolean }): Promise<string | null> {
      const node = await hostNode(docker, input.hostId);
      if (!node) return null;
      if (node.Spec?.Role === 'manager') throw permanentFailure('Conflict', `host ${input.hostId}'s node is a Swarm manager: Berth does not remove a manager`);
      const services = (await docker.listServices()) as { Spec?: { Name?: string; TaskTemplate?: { Placement?: { Constraints?: string[] } } } }[];
      const pinned = services.filter((s) => pinnedHosts(s.Spec?.TaskTemplate?.Placement?.Constraints ?? []).includes(input.hostId)).map((s) => s.Spec?.Name);
      if (pinned.length > 0) throw permanentFailure('Conflict', `service(s) ${pinned.join(', ')} are pinned to host ${input.hostId}: deploy them elsewhere first`);
      const running = async () => ((await docker.listTasks({ filters: { node: [node.ID], 'desired-state': ['running'] } })) as unknown[]).length;
      const tasks = await running();
      if (tasks > 0 && !input.drained) throw permanentFailure('Conflict', `${tasks} task(s) run on host ${input.hostId}'s node: drain the host first (PATCH draining: true)`);
      if (node.Spec?.Availability !== 'drain') await docker.getNode(node.ID).update({ _query: { version: node.Version?.Index }, _body: { ...node.Spec, Availability: 'drain' } });
      await withHeartbeat(() => until(`host ${input.hostId}'s node drained`, DRAIN_WAIT_MS, async () => (await running()) === 0));
      return node.ID;
    },

    /**
     * Once the host's engine left: removes its node. The manager marks a left worker down only
     * after its heartbeat period (~15 s here), so the removal is forced — safe, as the workflow
     * runs it only after the engine confirmed it left.
     */
    async removeSwarmNode(input: { nodeId: string }): Promise<void> {
      const gone = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;
      await docker.getNode(input.nodeId).remove({ force: true }).catch((err: unknown) => (gone(err) ? undefined : Promise.reject(err)));
      log.info({ nodeId: input.nodeId }, 'swarm node removed');
    },
  };
}

/** The joining engine's steps: on the host's own queue, against its own engine. */
export function createSwarmMemberSteps(deps: { docker: Docker; log: Logger; publishIp: string }) {
  const { docker, log } = deps;
  const state = async () => ((await docker.info()) as Info).Swarm;
  return {
    /** Joins this engine as a worker on its private address; an engine in the Swarm already answers its node id. */
    async joinSwarmAsWorker(input: { hostId: string; token: string; managerAddress: string }): Promise<string> {
      const now = await state();
      const inSwarm = now?.LocalNodeState === 'active' || now?.LocalNodeState === 'pending';
      if (inSwarm) {
        const same = now.RemoteManagers?.some((m) => m.Addr === input.managerAddress) ?? now.LocalNodeState === 'pending';
        if (!same) throw permanentFailure('Conflict', `host ${input.hostId}'s engine is in another Swarm (managers ${now.RemoteManagers?.map((m) => m.Addr).join(', ')}): Berth leaves it alone`);
      }
      // Refused before anything, an engine joined by hand included: with no private address
      // docker_gwbridge could not be bound to one, and the node would be labelled to publish.
      if (loopback(deps.publishIp)) throw permanentFailure('Conflict', `host ${input.hostId}'s worker has no private address (BERTH_HOST_ADDRESS is loopback): the Swarm cannot reach it`);
      // Before joining: the engine would make docker_gwbridge itself, publishing on 0.0.0.0.
      const bridge = await ensureGatewayBridge(docker, deps.publishIp, inSwarm, input.hostId);
      if (bridge !== 'kept') log.info({ hostId: input.hostId, binding: deps.publishIp, bridge }, 'docker_gwbridge made to publish on the private address');
      if (inSwarm) return now.NodeID ?? '';
      const address = deps.publishIp;
      await withHeartbeat(() => docker.swarmJoin({ ListenAddr: `${address}:${SWARM_PORT}`, AdvertiseAddr: address, DataPathAddr: address, RemoteAddrs: [input.managerAddress], JoinToken: input.token }));
      const after = await state();
      log.info({ hostId: input.hostId, nodeId: after?.NodeID, manager: input.managerAddress }, 'engine joined the swarm');
      return after?.NodeID ?? '';
    },

    /** Leaves the Swarm (a worker leaves without force); an engine in none is left as it is. */
    async leaveSwarmAsWorker(input: { hostId: string }): Promise<void> {
      const now = await state();
      if ((now?.LocalNodeState ?? 'inactive') === 'inactive') return;
      if (now?.ControlAvailable) throw permanentFailure('Conflict', `host ${input.hostId}'s engine is a Swarm manager: Berth does not make it leave`);
      await withHeartbeat(() => docker.swarmLeave({ force: false }));
      log.info({ hostId: input.hostId }, 'engine left the swarm');
    },
  };
}
