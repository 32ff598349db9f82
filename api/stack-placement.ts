// A stack's placement checked as a deploy is asked for: every host a service is pinned to
// (x-berth.host, node.labels.berth.host == <id>) is one Berth knows. Refused with 400 and nothing
// changed, rather than a rollout whose tasks never find a node. An exposed service may be pinned
// to another host: its port is published there on the host's private address (docs/stacks.md);
// whether that host's node can do so is the release's resolve step to check (node-hosts.ts).
import type { Db } from '../db/client.js';
import { listHosts } from '../db/queries/hosts.js';
import { pinnedHosts } from '../src/compose/placement.js';
import type { CompiledStack } from '../src/compose/compile-stack.js';
import { invalid } from './errors.js';

export async function assertStackPlacement(db: Db, compiled: CompiledStack, ownHost: string): Promise<void> {
  const known = new Set([ownHost, ...(await listHosts(db)).map((h) => h.id)]);
  const issues: { path: string; message: string }[] = [];
  for (const service of Object.values(compiled.stack.services)) {
    const pinned = pinnedHosts(service.placement ?? []);
    for (const host of pinned) {
      if (!known.has(host)) issues.push({ path: `services.${service.name}.placement`, message: `host ${host} is not registered (POST /hosts), so no Swarm node is labelled berth.host=${host}` });
    }
  }
  const first = issues[0];
  if (first) throw invalid(`compose file: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, issues);
}
