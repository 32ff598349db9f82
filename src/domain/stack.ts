// A stack as Berth runs it: the compose file after interpolation, overrides, validation and
// normalisation (src/compose/), and the rollout plan derived from it. Pure: the workflow reads
// the plan, the activities build Swarm specs from the stack.

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface StackHealthcheck {
  /** Docker's form: ["CMD", …], ["CMD-SHELL", "…"]. */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** A service Traefik routes to: the container port and Berth's HTTP probe. */
export interface StackExpose {
  port: number;
  /** HTTP path probed before the route moves, and through Traefik after it. */
  path: string;
  /** Answers on the environment's own host names (besides <service>.<app>.<env>.<domain>). */
  main: boolean;
}

export interface StackMount {
  type: 'volume' | 'bind' | 'tmpfs';
  /** The stack's volume name or the host path; null for tmpfs and anonymous volumes. */
  source: string | null;
  target: string;
  readOnly: boolean;
}

/**
 * A service's `build:` (stacks whose compose file comes from their git repository): paths as
 * written, relative to the compose file's directory (the Dockerfile relative to the context).
 */
export interface StackBuild {
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  target: string | null;
}

export interface StackService {
  name: string;
  /** As written (tag or digest) before the release pins it; for a built service, the build's tag. */
  image: string;
  /** Present only on services built from the repository, so other services' spec hashes stay as they were. */
  build?: StackBuild;
  entrypoint: string[] | null;
  command: string[] | null;
  environment: Record<string, string>;
  labels: Record<string, string>;
  /** deploy.labels: on the Swarm service rather than its containers. */
  serviceLabels: Record<string, string>;
  workingDir: string | null;
  user: string | null;
  hostname: string | null;
  init: boolean;
  readOnly: boolean;
  stopSignal: string | null;
  stopGracePeriodMs: number | null;
  dependsOn: { service: string; condition: DependsCondition }[];
  healthcheck: StackHealthcheck | null;
  replicas: number;
  restart: 'any' | 'on-failure' | 'none';
  restartDelayMs: number | null;
  /** 0: no limit. */
  restartMaxAttempts: number;
  updateOrder: 'start-first' | 'stop-first';
  networks: { name: string; aliases: string[] }[];
  mounts: StackMount[];
  secrets: { source: string; target: string }[];
  configs: { source: string; target: string }[];
  resources: { memoryBytes: number | null; nanoCpus: number | null };
  capDrop: string[];
  /** cap_add and sysctls, present only when the file has them (an administrator allowed them). */
  capAdd?: string[];
  sysctls?: Record<string, string>;
  /** Swarm placement constraints (deploy.placement.constraints, x-berth.host), present only when the file has some. */
  placement?: string[];
  expose: StackExpose | null;
}

/** Where a secret's or config's content comes from: an environment variable, or inline text. */
export interface StackContentSource {
  variable: string | null;
  content: string | null;
}

export interface StackSpec {
  services: Record<string, StackService>;
  networks: Record<string, { internal: boolean; labels: Record<string, string> }>;
  volumes: Record<string, { labels: Record<string, string> }>;
  secrets: Record<string, StackContentSource>;
  configs: Record<string, StackContentSource>;
}

/** What the rollout workflow needs of one service: never its environment or secrets. */
export interface ServicePlan {
  name: string;
  level: number;
  dependsOn: { service: string; condition: DependsCondition }[];
  /** Dependents wait for it to finish with exit code 0 (a one-shot job). */
  completes: boolean;
  hasHealthcheck: boolean;
  expose: StackExpose | null;
  replicas: number;
}

export interface StackPlan {
  /** Services by rollout level: every service's dependencies are in earlier levels. */
  levels: string[][];
  services: Record<string, ServicePlan>;
}

/**
 * Levels of the depends_on graph (Kahn's algorithm, names sorted within a level so the order is
 * stable); `cycle` names the services of a cycle when there is one.
 */
export function rolloutLevels(deps: Record<string, string[]>): { levels: string[][]; cycle: string[] | null } {
  const remaining = new Map(Object.entries(deps).map(([name, on]) => [name, new Set(on.filter((d) => d in deps))]));
  const levels: string[][] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, on]) => on.size === 0).map(([name]) => name).sort();
    if (ready.length === 0) return { levels, cycle: findCycle(remaining) };
    levels.push(ready);
    for (const name of ready) remaining.delete(name);
    for (const on of remaining.values()) for (const name of ready) on.delete(name);
  }
  return { levels, cycle: null };
}

function findCycle(graph: Map<string, Set<string>>): string[] {
  // Every node left has an unmet dependency inside the graph: walking them must revisit one.
  const path: string[] = [];
  let node = [...graph.keys()].sort()[0] as string;
  while (!path.includes(node)) {
    path.push(node);
    node = [...(graph.get(node) as Set<string>)].sort()[0] as string;
  }
  return [...path.slice(path.indexOf(node)), node];
}

export function planStack(stack: StackSpec): StackPlan {
  const deps = Object.fromEntries(Object.values(stack.services).map((s) => [s.name, s.dependsOn.map((d) => d.service)]));
  const { levels, cycle } = rolloutLevels(deps);
  if (cycle) throw new Error(`depends_on cycle: ${cycle.join(' → ')}`);
  const levelOf = new Map(levels.flatMap((names, i) => names.map((n) => [n, i] as const)));
  const completes = new Set(
    Object.values(stack.services).flatMap((s) => s.dependsOn.filter((d) => d.condition === 'service_completed_successfully').map((d) => d.service)),
  );
  const services: Record<string, ServicePlan> = {};
  for (const s of Object.values(stack.services)) {
    services[s.name] = {
      name: s.name,
      level: levelOf.get(s.name) ?? 0,
      dependsOn: s.dependsOn,
      completes: completes.has(s.name),
      hasHealthcheck: s.healthcheck !== null,
      expose: s.expose,
      replicas: s.replicas,
    };
  }
  return { levels, services };
}

/** Swarm objects of a stack are named <namespace>_<name>, like `docker stack deploy` does. */
export function stackNamespace(environmentId: string): string {
  return `berth-${environmentId.slice(environmentId.indexOf('_') + 1)}`;
}

export function stackObjectName(namespace: string, name: string): string {
  return `${namespace}_${name}`;
}

/** Route key of an exposed service: its own Traefik file, router and service. */
export function serviceRouteKey(environmentId: string, service: string): string {
  return `${environmentId}-${service}`;
}

/** The environment a route key belongs to (the key itself when it is an environment's own). */
export function stackRouteEnvironment(routeKey: string): string {
  const dash = routeKey.indexOf('-');
  return dash === -1 ? routeKey : routeKey.slice(0, dash);
}

/** Host names an exposed service answers on. */
export function serviceHosts(service: string, expose: StackExpose, environmentHosts: string[]): string[] {
  const first = environmentHosts[0];
  // A host name has no underscore; Compose service names may.
  const own = first ? [`${service.replace(/_/g, '-')}.${first}`] : [];
  return expose.main ? [...new Set([...environmentHosts, ...own])] : own;
}
