// Docker labels Berth puts on everything it creates. Berth only ever touches objects that carry
// its managed-by label and its own instance name.

export const LABEL = {
  managedBy: 'berth.managed-by',
  instance: 'berth.instance',
  app: 'berth.app',
  environment: 'berth.environment',
  release: 'berth.release',
  deployment: 'berth.deployment',
  replica: 'berth.replica',
  /** The stack namespace of a Swarm object (stackNamespace(environmentId)). */
  stack: 'berth.stack',
  /** The compose service a Swarm service runs. */
  service: 'berth.stack.service',
  /** What a Swarm service is made of (see stack-release): equal hash, nothing to change. */
  specHash: 'berth.spec-hash',
} as const;

/** Docker's own stack label: `docker stack ls` shows Berth's stacks too. */
export const DOCKER_STACK_NAMESPACE = 'com.docker.stack.namespace';

export const MANAGED_BY = 'berth';

export interface ContainerOwner {
  instance: string;
  appId: string;
  environmentId: string;
  releaseId: string;
  deploymentId: string;
}

export function containerLabels(owner: ContainerOwner, replica: number): Record<string, string> {
  return {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.instance]: owner.instance,
    [LABEL.app]: owner.appId,
    [LABEL.environment]: owner.environmentId,
    [LABEL.release]: owner.releaseId,
    [LABEL.deployment]: owner.deploymentId,
    [LABEL.replica]: String(replica),
  };
}

/** Container names derive from the deployment that created them, so a retried create finds it. */
export function containerName(deploymentId: string, replica: number): string {
  return `berth-${deploymentId}-${replica}`;
}

/** Docker API label filter for Berth's objects of one instance, plus extra label=value pairs. */
export function labelFilter(instance: string, extra: Record<string, string> = {}): string[] {
  return [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.instance}=${instance}`, ...Object.entries(extra).map(([k, v]) => `${k}=${v}`)];
}

export interface StackOwner {
  instance: string;
  appId: string;
  environmentId: string;
  namespace: string;
}

/** Labels of every Swarm object of a stack (services, networks, secrets, configs, volumes). */
export function stackLabels(owner: StackOwner): Record<string, string> {
  return {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.instance]: owner.instance,
    [LABEL.app]: owner.appId,
    [LABEL.environment]: owner.environmentId,
    [LABEL.stack]: owner.namespace,
    [DOCKER_STACK_NAMESPACE]: owner.namespace,
  };
}

/** A container's replica number: Berth's label, or for a stack service's task its Swarm slot (`<service>.<slot>.<task id>`). */
export function replicaOf(labels: Record<string, string>): number | null {
  const value = labels[LABEL.replica] ?? labels['com.docker.swarm.task.name']?.split('.').at(-2);
  return value !== undefined && /^\d{1,6}$/.test(value) ? Number(value) : null;
}
