// The Swarm nodes of Berth's hosts: a host whose engine joined the installation's Swarm carries
// the node label berth.host=<id> (docs/operations.md, "Stacks over several hosts"). A release
// pinning a service to a host checks, before it changes anything, that such a node is there
// and ready (otherwise its tasks would wait for a node forever), and that a node an exposed
// service is pinned to publishes on its host's private address only (berth.publish, set when
// the host joined through Berth). A compose file from git is first read here.
import type Docker from 'dockerode';
import { HOST_NODE_LABEL, pinnedHosts } from '../../src/compose/placement.js';
import type { StackSpec } from '../../src/domain/stack.js';
import { permanentFailure } from '../../src/errors.js';
import { PUBLISH_NODE_LABEL } from './task-servers.js';

/** A Swarm node as the engine's API describes it (the fields Berth reads). */
export interface SwarmNode {
  ID: string;
  Version?: { Index?: number };
  Spec?: { Labels?: Record<string, string>; Availability?: string; Role?: string };
  Status?: { State?: string; Addr?: string };
}

/**
 * Labels the node berth.host=<host>, what x-berth.host pins to: a joined host's node, and the
 * stack's own node (so a service pinned to the stack's own host has a node to run on). Written
 * only when missing (a node update bumps the node's version, and concurrent resolves would
 * conflict for nothing). Returns the node as it was read.
 */
export async function labelHostNode(docker: Docker, nodeId: string, hostId: string, extra: (node: SwarmNode) => Record<string, string> = () => ({})): Promise<SwarmNode | null> {
  if (!nodeId) return null;
  const node = docker.getNode(nodeId);
  const found = (await node.inspect()) as SwarmNode;
  const wanted: Record<string, string> = { [HOST_NODE_LABEL]: hostId, ...extra(found) };
  if (Object.entries(wanted).some(([k, v]) => found.Spec?.Labels?.[k] !== v)) {
    await node.update({ _query: { version: found.Version?.Index }, _body: { ...found.Spec, Labels: { ...found.Spec?.Labels, ...wanted } } });
  }
  return found;
}

export async function assertPinnedHostsJoined(docker: Docker, stack: StackSpec, ownHost: string): Promise<void> {
  const wanted = [...new Set(Object.values(stack.services).flatMap((s) => pinnedHosts(s.placement ?? [])))];
  if (wanted.length === 0) return;
  const nodes = (await docker.listNodes()) as SwarmNode[];
  for (const host of wanted) {
    const node = nodes.find((n) => n.Spec?.Labels?.[HOST_NODE_LABEL] === host);
    if (!node) throw permanentFailure('Unavailable', `no Swarm node is host ${host}: join its engine to the Swarm (POST /hosts/${host}/swarm)`);
    if (node.Status?.State !== 'ready') throw permanentFailure('Unavailable', `host ${host}'s Swarm node is ${node.Status?.State ?? 'unknown'}, not ready`);
    // An exposed service off this host publishes its port there (task-servers.ts): only on a
    // node whose docker_gwbridge Berth made to bind on the host's private address.
    const exposed = Object.values(stack.services).find((s) => s.expose && host !== ownHost && pinnedHosts(s.placement ?? []).includes(host));
    if (exposed && !node.Spec?.Labels?.[PUBLISH_NODE_LABEL]) {
      throw permanentFailure('Unavailable', `exposed service ${exposed.name} is pinned to host ${host}, whose node joined the Swarm before Berth bound its published ports to the host's private address: make it leave (DELETE /hosts/${host}/swarm) and join again (POST /hosts/${host}/swarm)`);
    }
  }
}

/** The Berth host a Swarm node is (its berth.host label), '' when none or no node. */
export async function nodeHost(docker: Docker, nodeId: string): Promise<string> {
  if (!nodeId) return '';
  return ((await docker.getNode(nodeId).inspect()) as SwarmNode).Spec?.Labels?.[HOST_NODE_LABEL] ?? '';
}
