// What Berth runs of a compose service, after translation (translate-service.ts): a key is read
// by normalize-stack.ts, refused for safety (naming the instance setting that allows it, where
// Swarm can honour it at all), explained (the intent cannot be met here: the one thing to
// change), or ignored with a warning. Only safety and unmet intent refuse.
import { checkPlacement } from './placement.js';
import type { ComposeFindings } from './compose-issues.js';
import type { ComposeDocument } from './compose-document.js';

type Doc = ComposeDocument;

/** Unsafe keys an administrator may allow (BERTH_STACK_ALLOW), and Swarm then applies. */
export const ALLOWABLE = ['cap_add', 'sysctls'] as const;
export type Allowable = (typeof ALLOWABLE)[number];

const ALLOWABLE_REASONS: Record<Allowable, string> = {
  cap_add: 'adds kernel capabilities to the container',
  sysctls: 'changes kernel parameters',
};

/** Unsafe whatever the setting: Swarm services cannot have them, or they hand over the host. */
const UNSAFE: Record<string, string> = {
  privileged: 'a privileged container controls the host (and Swarm services cannot be privileged)',
  devices: 'gives the container host devices (Swarm services cannot have them)',
  device_cgroup_rules: 'gives the container host devices',
  gpus: 'gives the container host devices (Swarm services cannot have them)',
  runtime: 'selects another container runtime (Swarm services cannot)',
  cgroup_parent: 'places the container outside Docker cgroups',
  oom_kill_disable: 'lets the container exhaust host memory',
  use_api_socket: "hands the container the Docker engine's socket, which is root on the host",
};

/** Keys whose value `host` shares a namespace of the host. */
const HOST_NAMESPACES: Record<string, string> = {
  network_mode: 'host networking bypasses the stack networks and exposes the host’s',
  pid: 'shares the host process namespace',
  ipc: 'shares the host IPC namespace',
  userns_mode: 'shares the host user namespace',
  uts: 'shares the host UTS namespace',
  cgroup: 'shares the host cgroup namespace',
};

/** Intent that cannot be met on Swarm: refused with the one thing to change. */
const UNMET: Record<string, string> = {
  volumes_from: 'mounts the volumes of another container, which Swarm services cannot: declare a named volume and mount it in both services',
  external_links: 'reaches containers outside the stack, which it cannot: put what it needs in the stack, or reach it by a routed host name',
  extends: 'reads another file or service definition Berth does not merge: copy the extended settings into the service',
  provider: 'a provider service runs a Compose plugin, not a container: create what it provides outside the stack and pass its address as a variable',
};

/** Service keys Berth reads; values are checked by normalisation. */
export const SERVICE_KEYS = new Set([
  'image',
  'command',
  'entrypoint',
  'environment',
  'labels',
  'depends_on',
  'healthcheck',
  'deploy',
  'networks',
  'volumes',
  'secrets',
  'configs',
  'working_dir',
  'user',
  'hostname',
  'init',
  'read_only',
  'stop_signal',
  'stop_grace_period',
  'tmpfs',
  'cap_drop',
  'restart',
  'expose',
  'build',
  'x-berth',
  ...ALLOWABLE,
]);

const DEPLOY_KEYS = new Set(['mode', 'replicas', 'labels', 'resources', 'restart_policy', 'update_config', 'endpoint_mode']);

/** Refusals and warnings of a translated service; returns the service without the ignored keys. */
export function checkServiceKeys(name: string, input: Doc, allowed: ReadonlySet<string>, found: ComposeFindings): Doc {
  const s: Doc = { ...input };
  const path = (key: string) => `services.${name}.${key}`;
  const refuse = (key: string, message: string) => found.refuse(path(key), `service ${name}: ${key}: ${message}`);
  const warn = (key: string, message: string) => found.warn(path(key), `service ${name}: ${key}: ${message}`);
  for (const key of Object.keys(s)) {
    const value = s[key];
    if (key in UNSAFE) refuse(key, `refused for safety: ${UNSAFE[key]}`);
    else if ((ALLOWABLE as readonly string[]).includes(key) && !allowed.has(key)) {
      refuse(key, `refused for safety: ${ALLOWABLE_REASONS[key as Allowable]}; an administrator can allow it with BERTH_STACK_ALLOW=${key}`);
    } else if (key in HOST_NAMESPACES) {
      if (value === 'host') refuse(key, `refused for safety: ${HOST_NAMESPACES[key]}`);
      else if (key === 'network_mode') refuse(key, `${value}: services cannot share another container's network; put them on one stack network and reach each other by name`);
      else ignore(key);
    } else if (key in UNMET) refuse(key, UNMET[key] as string);
    else if (key === 'security_opt') securityOptions(value, refuse, warn);
    else if (!SERVICE_KEYS.has(key) && !key.startsWith('x-')) ignore(key);
  }
  const deploy = s.deploy as Doc | null | undefined;
  if (deploy) s.deploy = checkDeploy(deploy, warn);
  return s;

  function ignore(key: string): void {
    warn(key, 'ignored: Berth does not apply it to Swarm services');
    delete s[key];
  }
}

function securityOptions(value: unknown, refuse: (k: string, m: string) => void, warn: (k: string, m: string) => void): void {
  const weakening = ((value ?? []) as unknown[]).map(String).filter((o) => /unconfined|label[:=]disable/.test(o));
  if (weakening.length) refuse('security_opt', `refused for safety: ${weakening.join(', ')} weakens the isolation of the container`);
  else warn('security_opt', 'ignored: Swarm services keep Docker’s default profiles');
}

function checkDeploy(input: Doc, warn: (k: string, m: string) => void): Doc {
  const deploy: Doc = { ...input };
  for (const key of Object.keys(deploy)) {
    if (key === 'rollback_config') warn('deploy.rollback_config', 'ignored: Berth rolls the whole stack back itself');
    else if (key === 'placement') {
      const placement = checkPlacement(deploy.placement, warn);
      if (placement) deploy.placement = placement;
      else delete deploy.placement;
      continue;
    }
    else if (!DEPLOY_KEYS.has(key) && !key.startsWith('x-')) warn(`deploy.${key}`, 'ignored: Berth does not apply it');
    else continue;
    delete deploy[key];
  }
  if (deploy.mode === 'global') {
    warn('deploy.mode', 'global runs one task per node; Berth places replicas by constraints: run as one replica');
    deploy.mode = 'replicated';
    deploy.replicas = 1;
  } else if (deploy.mode !== undefined && deploy.mode !== 'replicated') {
    warn('deploy.mode', `${deploy.mode}: Berth runs services replicated`);
    delete deploy.mode;
  }
  if (deploy.endpoint_mode !== undefined && deploy.endpoint_mode !== 'dnsrr') {
    warn('deploy.endpoint_mode', "the routing mesh (VIP) does not work on this host; Berth uses 'dnsrr'");
    delete deploy.endpoint_mode;
  }
  if (deploy.resources?.reservations !== undefined) {
    warn('deploy.resources.reservations', 'ignored: Berth applies limits only');
    const { reservations: _dropped, ...resources } = deploy.resources as Doc;
    deploy.resources = resources;
  }
  return deploy;
}
