// The Swarm nodes of Berth's hosts: a host whose engine joined the installation's Swarm carries
// the node label berth.host=<id> (docs/operations.md, "Stacks over several hosts"). A release
// pinning a service to a host checks, before it changes anything, that such a node is there
// and ready (otherwise its tasks would wait for a node forever), and that no exposed service is
// pinned off this host (Traefik reaches tasks on this node's docker_gwbridge only): the API
// refuses both for uploaded files; a compose file from git is first read here.
import type Docker from 'dockerode';
import { HOST_NODE_LABEL, pinnedHosts } from '../../src/compose/placement.js';
import type { StackSpec } from '../../src/domain/stack.js';
import { permanentFailure } from '../../src/errors.js';

interface Node {
  Version?: { Index?: number };
  Spec?: { Labels?: Record<string, string>; Availability?: string; Role?: string };
  Status?: { State?: string };
}

/**
 * The stack's own node carries berth.host=<its host> too, so a service pinned to the stack's own
 * host (x-berth.host) has a node to run on; written only when missing (a node update bumps the
 * node's version, and concurrent resolves would conflict for nothing).
 */
export async function labelOwnNode(docker: Docker, nodeId: string, ownHost: string): Promise<void> {
  if (!nodeId) return;
  const node = docker.getNode(nodeId);
  const found = (await node.inspect()) as Node;
  if (found.Spec?.Labels?.[HOST_NODE_LABEL] === ownHost) return;
  await node.update({ _query: { version: found.Version?.Index }, _body: { ...found.Spec, Labels: { ...found.Spec?.Labels, [HOST_NODE_LABEL]: ownHost } } });
}

export async function assertPinnedHostsJoined(docker: Docker, stack: StackSpec, ownHost: string): Promise<void> {
  for (const s of Object.values(stack.services)) {
    const elsewhere = pinnedHosts(s.placement ?? []).find((h) => h !== ownHost);
    if (s.expose && elsewhere) throw permanentFailure('Unavailable', `exposed service ${s.name} is pinned to host ${elsewhere}: Traefik reaches exposed services only on the stack's host (${ownHost})`);
  }
  const wanted = [...new Set(Object.values(stack.services).flatMap((s) => pinnedHosts(s.placement ?? [])))];
  if (wanted.length === 0) return;
  const nodes = (await docker.listNodes()) as Node[];
  for (const host of wanted) {
    const node = nodes.find((n) => n.Spec?.Labels?.[HOST_NODE_LABEL] === host);
    if (!node) throw permanentFailure('Unavailable', `no Swarm node is host ${host}: join its engine to the Swarm and label the node ${HOST_NODE_LABEL}=${host}`);
    if (node.Status?.State !== 'ready') throw permanentFailure('Unavailable', `host ${host}'s Swarm node is ${node.Status?.State ?? 'unknown'}, not ready`);
  }
}
