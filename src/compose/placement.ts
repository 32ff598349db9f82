// Where a stack service's tasks may run: compose's deploy.placement.constraints as Swarm reads
// them, and Berth's own `x-berth: { host: h2 }` — a host registered with Berth whose engine
// joined the installation's Swarm and carries the node label berth.host=<id>. Preferences and
// max_replicas_per_node are not applied (spread and limits are the operator's concern here).
import { HOST_ID } from '../domain/hosts.js';

type Doc = Record<string, unknown>;

/** The node label that says which Berth host a Swarm node is. */
export const HOST_NODE_LABEL = 'berth.host';

const CONSTRAINT = /^(node\.(id|hostname|role|platform\.os|platform\.arch|labels\.[A-Za-z0-9._-]+)|engine\.labels\.[A-Za-z0-9._-]+)\s*(==|!=)\s*([A-Za-z0-9._-]+)$/;
const ON_HOST = new RegExp(`^node\\.labels\\.${HOST_NODE_LABEL.replace('.', '\\.')}\\s*==\\s*(.+)$`);

/** deploy.placement as the policy keeps it: the constraints only. */
export function checkPlacement(input: unknown, warn: (k: string, m: string) => void): Doc | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const placement = { ...(input as Doc) };
  for (const key of Object.keys(placement)) {
    if (key === 'constraints') continue;
    warn(`deploy.placement.${key}`, 'ignored: Berth applies placement constraints only');
    delete placement[key];
  }
  return Object.keys(placement).length ? placement : undefined;
}

/**
 * The Swarm constraints of a service: the file's (checked one by one: Swarm's own error for a
 * bad one comes only at deploy time), then x-berth.host's. None: the key is absent, so earlier
 * releases' spec hashes stay as they were.
 */
export function placementConstraints(deploy: Doc, host: unknown, at: (key: string, message: string) => void): string[] {
  const out: string[] = [];
  const given = (deploy.placement as Doc | undefined)?.constraints;
  if (given !== undefined && !Array.isArray(given)) at('deploy.placement.constraints', 'a list such as ["node.labels.berth.host == h2"]');
  for (const [i, c] of (Array.isArray(given) ? given : []).entries()) {
    const text = String(c).trim();
    if (!CONSTRAINT.test(text)) at(`deploy.placement.constraints.${i}`, `"${text}": expected node.<id|hostname|role|platform.os|platform.arch|labels.NAME> or engine.labels.NAME, == or !=, and a value`);
    else out.push(text.replace(/\s*(==|!=)\s*/, ' $1 '));
  }
  if (host !== undefined) {
    if (typeof host !== 'string' || !HOST_ID.test(host)) at('x-berth.host', 'the id of a registered host, such as h2');
    else out.push(`node.labels.${HOST_NODE_LABEL} == ${host}`);
  }
  return [...new Set(out)];
}

/** The Berth hosts constraints pin a service to (node.labels.berth.host == <id>). */
export function pinnedHosts(constraints: readonly string[]): string[] {
  return constraints.map((c) => ON_HOST.exec(c)?.[1]).filter((h): h is string => h !== undefined);
}
