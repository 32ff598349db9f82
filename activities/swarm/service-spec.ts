// A compose service of a stack release → the Docker Swarm service spec Berth creates. Exposed
// services run blue/green (a Swarm service per spec, named with its hash) so the old one keeps
// serving until Traefik has moved; the others update in place, start-first.
import { createHash } from 'node:crypto';
import { pinnedHosts } from '../../src/compose/placement.js';
import { LABEL, stackLabels, type StackOwner } from '../../src/domain/labels.js';
import { stackObjectName, type StackService, type StackSpec } from '../../src/domain/stack.js';

const NS_PER_MS = 1_000_000;
/** Swarm restarts a failed task after this long unless the file says otherwise (Swarm's own default is 5 s). */
const DEFAULT_RESTART_DELAY_MS = 200;

/** Names of the Swarm secrets and configs of a release (they carry a hash of their content). */
export interface StackObjectNames {
  secrets: Record<string, string>;
  configs: Record<string, string>;
}

export interface ServiceIdentity {
  specHash: string;
  name: string;
}

/** Everything the Swarm service is made of, hashed: an equal hash means nothing to change. */
export function serviceIdentity(namespace: string, service: StackService, image: string, names: StackObjectNames): ServiceIdentity {
  const used = {
    secrets: service.secrets.map((s) => names.secrets[s.source]),
    configs: service.configs.map((c) => names.configs[c.source]),
  };
  const specHash = createHash('sha256').update(JSON.stringify({ service, image, used })).digest('hex').slice(0, 12);
  return { specHash, name: swarmServiceName(namespace, service.name, service.expose ? specHash : null) };
}

export function swarmServiceName(namespace: string, service: string, color: string | null): string {
  return stackObjectName(namespace, color ? `${service}-${color}` : service);
}

/** Swarm object name of a secret or config: content changes make a new one (they are immutable). */
export function contentObjectName(namespace: string, name: string, content: string): string {
  return stackObjectName(namespace, `${name}-${createHash('sha256').update(content).digest('hex').slice(0, 10)}`);
}

export interface SpecInput {
  owner: StackOwner;
  stack: StackSpec;
  service: StackService;
  image: string;
  identity: ServiceIdentity;
  releaseId: string;
  deploymentId: string;
  /** The Swarm node of the engine Berth talks to: the stack's own host. */
  localNodeId: string;
  /** The Berth host that node is (its berth.host label; '' when unlabelled). */
  localHostId?: string;
  /** Swarm ids of the stack's secrets and configs (and networks, else named), by compose name. */
  ids: { networks: Record<string, string>; secrets: Record<string, { id: string; name: string }>; configs: Record<string, { id: string; name: string }> };
}

export function buildServiceSpec({ owner, service: s, image, identity, releaseId, deploymentId, localNodeId, localHostId = '', ids }: SpecInput): Record<string, unknown> {
  const labels = { ...stackLabels(owner), [LABEL.service]: s.name, [LABEL.specHash]: identity.specHash };
  const h = s.healthcheck;
  return {
    Name: identity.name,
    Labels: { ...s.serviceLabels, ...labels, [LABEL.release]: releaseId, [LABEL.deployment]: deploymentId },
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Labels: { ...s.labels, ...labels },
        ...(s.entrypoint ? { Command: s.entrypoint } : {}),
        ...(s.command ? { Args: s.command } : {}),
        Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
        ...(s.workingDir ? { Dir: s.workingDir } : {}),
        ...(s.user ? { User: s.user } : {}),
        ...(s.hostname ? { Hostname: s.hostname } : {}),
        Init: s.init,
        ReadOnly: s.readOnly,
        ...(s.stopSignal ? { StopSignal: s.stopSignal } : {}),
        ...(s.stopGracePeriodMs !== null ? { StopGracePeriod: s.stopGracePeriodMs * NS_PER_MS } : {}),
        ...(s.capDrop.length ? { CapabilityDrop: s.capDrop } : {}),
        // Only when an administrator allowed them (BERTH_STACK_ALLOW); absent otherwise, so
        // earlier releases' spec hashes stay as they were.
        ...(s.capAdd?.length ? { CapabilityAdd: s.capAdd } : {}),
        ...(s.sysctls && Object.keys(s.sysctls).length ? { Sysctls: s.sysctls } : {}),
        ...(h
          ? { Healthcheck: { Test: h.test, Interval: h.intervalMs * NS_PER_MS, Timeout: h.timeoutMs * NS_PER_MS, Retries: h.retries, StartPeriod: h.startPeriodMs * NS_PER_MS } }
          : {}),
        Mounts: s.mounts.map((m) => ({
          Type: m.type,
          Target: m.target,
          ReadOnly: m.readOnly,
          ...(m.type === 'volume' && m.source ? { Source: stackObjectName(owner.namespace, m.source), VolumeOptions: { Labels: stackLabels(owner) } } : {}),
          ...(m.type === 'bind' ? { Source: m.source } : {}),
        })),
        Secrets: s.secrets.map((ref) => ({
          File: { Name: ref.target, UID: '0', GID: '0', Mode: 0o444 },
          SecretID: ids.secrets[ref.source]?.id,
          SecretName: ids.secrets[ref.source]?.name,
        })),
        Configs: s.configs.map((ref) => ({
          File: { Name: ref.target, UID: '0', GID: '0', Mode: 0o444 },
          ConfigID: ids.configs[ref.source]?.id,
          ConfigName: ids.configs[ref.source]?.name,
        })),
      },
      Resources: {
        Limits: {
          ...(s.resources.memoryBytes ? { MemoryBytes: s.resources.memoryBytes } : {}),
          ...(s.resources.nanoCpus ? { NanoCPUs: s.resources.nanoCpus } : {}),
        },
      },
      Placement: { Constraints: constraintsOf(s, localNodeId) },
      RestartPolicy: { Condition: s.restart, Delay: (s.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS) * NS_PER_MS, MaxAttempts: s.restartMaxAttempts },
      Networks: s.networks.map((n) => ({ Target: ids.networks[n.name] ?? stackObjectName(owner.namespace, n.name), Aliases: n.aliases })),
      LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '3' } },
    },
    Mode: { Replicated: { Replicas: s.replicas } },
    // Berth watches the tasks and decides itself; Swarm only pauses on a failed task.
    UpdateConfig: { Parallelism: 1, Order: s.updateOrder, FailureAction: 'pause', Monitor: 0 },
    EndpointSpec: endpointOf(s, localHostId),
  };
}

/**
 * An exposed service pinned to another host publishes its port there in Swarm host mode, the
 * engine picking a port per task (Traefik, on this host, cannot reach that host's
 * docker_gwbridge); the port binds to the host's private address (gateway-bridge.ts). Every
 * other service publishes nothing, as before: its spec, and so its release's, is unchanged.
 */
function endpointOf(s: StackService, localHostId: string): Record<string, unknown> {
  const elsewhere = pinnedHosts(s.placement ?? []).some((h) => h !== localHostId);
  if (!s.expose || !localHostId || !elsewhere) return { Mode: 'dnsrr' };
  return { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: s.expose.port, PublishMode: 'host' }] };
}

/**
 * Where a service's tasks may run: a service pinned to a Berth host (x-berth.host, or the file's
 * node.labels.berth.host constraint) runs there; any other stays on the stack's own node whatever
 * nodes join the Swarm later (Traefik reaches tasks on this node only, and local volumes and
 * locally built images are here). The file's other constraints apply on top. Not in the spec
 * hash: services made before this keep theirs until their next change.
 */
function constraintsOf(s: StackService, localNodeId: string): string[] {
  const given = s.placement ?? [];
  return pinnedHosts(given).length > 0 || !localNodeId ? [...given] : [...given, `node.id == ${localNodeId}`];
}
