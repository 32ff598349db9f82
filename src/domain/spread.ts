// Spreading an environment's replicas over several hosts: which hosts (the ones named, else
// those whose labels match; draining and down hosts never), in what order (most free capacity
// first, then by id, so the same hosts and capacity always give the same answer), and which
// replicas each runs. Pure: the API checks a setting with it, the lane plans a deploy with it.

/** An environment's spread setting: `count` hosts, from `hosts` when named, else those with `labels`. */
export interface SpreadSetting {
  count: number;
  hosts?: string[] | undefined;
  labels?: Record<string, string> | undefined;
}

/** A host as the choice sees it. */
export interface SpreadCandidate {
  id: string;
  labels: Record<string, string>;
  /** Containers it may take (undefined: no limit declared). */
  capacity?: number | undefined;
  /** Environments placed on it now (what its capacity is spent on). */
  placed: number;
  draining: boolean;
  alive: boolean;
}

/** One host's share of a spread deploy: the replica indices it runs. */
export interface SpreadShare {
  hostId: string;
  replicas: number[];
}

/** A spread deploy's plan, or why there is none (the deploy then fails before it touches a host). */
export type SpreadPlan = { hosts: SpreadShare[] } | { refused: string };

export type SpreadChoice = { hosts: string[] } | { refused: string };

const free = (c: SpreadCandidate) => (c.capacity === undefined ? Number.POSITIVE_INFINITY : c.capacity - c.placed);

/** The hosts a spread runs on, or why it cannot (too few eligible hosts, a named host unknown). */
export function chooseSpreadHosts(setting: SpreadSetting, candidates: SpreadCandidate[]): SpreadChoice {
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const unknown = (setting.hosts ?? []).filter((id) => !byId.has(id));
  if (unknown.length) return { refused: `host(s) ${unknown.join(', ')} not registered` };
  const pool = setting.hosts ? setting.hosts.map((id) => byId.get(id) as SpreadCandidate) : candidates;
  const wanted = Object.entries(setting.labels ?? {});
  const eligible = pool
    .filter((c) => !c.draining && c.alive && free(c) > 0 && wanted.every(([k, v]) => c.labels[k] === v))
    .sort((a, b) => free(b) - free(a) || a.id.localeCompare(b.id));
  if (eligible.length < setting.count) {
    const which = eligible.length ? ` (${eligible.map((c) => c.id).join(', ')})` : '';
    return { refused: `spread over ${setting.count} hosts, but ${eligible.length} eligible${which}: alive, not draining, with free capacity${wanted.length ? ' and the labels' : ''}` };
  }
  return { hosts: eligible.slice(0, setting.count).map((c) => c.id).sort() };
}

/**
 * Replica indices per host, round-robin (host i runs i, i+n, …), so every host runs at least one
 * replica: fewer replicas than hosts still puts one on each.
 */
export function splitReplicas(hosts: string[], replicas: number): SpreadShare[] {
  const total = Math.max(replicas, hosts.length);
  return hosts.map((hostId, i) => ({ hostId, replicas: Array.from({ length: total }, (_, r) => r).filter((r) => r % hosts.length === i) }));
}

/** The plan for a deploy of an environment with this setting. */
export function planSpread(setting: SpreadSetting, candidates: SpreadCandidate[], replicas: number): SpreadPlan {
  const chosen = chooseSpreadHosts(setting, candidates);
  return 'refused' in chosen ? chosen : { hosts: splitReplicas(chosen.hosts, replicas) };
}

/**
 * Whether two spread settings choose alike: the named hosts are a set and label keys have no
 * order (the database's jsonb reorders them), so a setting sent again unchanged is no change.
 */
export function sameSpread(a: SpreadSetting | null, b: SpreadSetting | null): boolean {
  const canonical = (s: SpreadSetting | null) =>
    s && JSON.stringify([s.count, s.hosts ? [...s.hosts].sort() : null, Object.entries(s.labels ?? {}).sort(([x], [y]) => x.localeCompare(y))]);
  return canonical(a) === canonical(b);
}
