// What Berth runs of a compose file, and what it refuses. A key is either supported (and read
// by normalize-stack.ts), refused for safety, or not supported on Swarm here; each refusal
// names the key and the reason. Anything not listed is refused as not supported, so a new
// compose key never slips through unread.
import type { ComposeIssue } from './compose-issues.js';

const UNSAFE: Record<string, string> = {
  privileged: 'refused for safety: a privileged container controls the host',
  cap_add: 'refused for safety: adds kernel capabilities to the container',
  devices: 'refused for safety: gives the container host devices',
  device_cgroup_rules: 'refused for safety: gives the container host devices',
  security_opt: 'refused for safety: weakens the isolation of the container',
  network_mode: 'refused: host networking (or sharing another namespace) bypasses the stack networks; services join the stack overlay networks',
  pid: 'refused for safety: shares the host process namespace',
  ipc: 'refused for safety: shares an IPC namespace outside the stack',
  userns_mode: 'refused for safety: shares the host user namespace',
  uts: 'refused for safety: shares the host UTS namespace',
  cgroup_parent: 'refused for safety: places the container outside Docker cgroups',
  volumes_from: 'refused: mounts the volumes of containers outside the stack',
  ports: 'refused: Swarm publishes ports on every interface of the host; Berth routes exposed services through Traefik instead (set x-berth.port)',
  sysctls: 'refused for safety: changes kernel parameters',
  runtime: 'refused for safety: selects another container runtime',
  oom_kill_disable: 'refused for safety: lets the container exhaust host memory',
};

const UNSUPPORTED: Record<string, string> = {
  build: 'not supported for uploaded compose files: give an image (a stack whose compose file comes from its git repository builds it)',
  container_name: 'not supported on Swarm: containers are named by their tasks',
  links: 'not supported on Swarm: services reach each other by name on the stack networks',
  external_links: 'not supported on Swarm: services only reach the stack networks',
  extends: 'not supported: uploaded compose files are one file',
  env_file: 'not supported: uploaded compose files carry no files; use the environment variables',
  profiles: 'not supported: every service of the stack runs',
  scale: 'not supported: use deploy.replicas',
  mem_limit: 'not supported: use deploy.resources.limits.memory',
  cpus: 'not supported: use deploy.resources.limits.cpus',
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
  'x-berth',
]);

const DEPLOY_KEYS = new Set(['mode', 'replicas', 'labels', 'resources', 'restart_policy', 'update_config', 'endpoint_mode']);
const DEPLOY_REFUSED: Record<string, string> = {
  rollback_config: 'not supported: Berth rolls the whole stack back itself',
  placement: 'not supported: Berth runs stacks on a single Swarm node',
};

/** `builds`: the compose file comes from the app's repository, whose checkout `build:` reads. */
export function serviceKeyIssues(name: string, service: Record<string, unknown>, options: { builds: boolean } = { builds: false }): ComposeIssue[] {
  const issues: ComposeIssue[] = [];
  const at = (key: string, message: string) => issues.push({ path: `services.${name}.${key}`, message: `service ${name}: ${key}: ${message}` });
  for (const key of Object.keys(service)) {
    if (key === 'build' && options.builds) continue;
    if (key in UNSAFE) at(key, UNSAFE[key] as string);
    else if (key in UNSUPPORTED) at(key, UNSUPPORTED[key] as string);
    else if (!SERVICE_KEYS.has(key) && !key.startsWith('x-')) at(key, 'not supported by Berth stacks');
  }
  const deploy = service.deploy as Record<string, unknown> | null | undefined;
  for (const key of Object.keys(deploy ?? {})) {
    if (key in DEPLOY_REFUSED) at(`deploy.${key}`, DEPLOY_REFUSED[key] as string);
    else if (!DEPLOY_KEYS.has(key) && !key.startsWith('x-')) at(`deploy.${key}`, 'not supported by Berth stacks');
  }
  if (deploy?.mode !== undefined && deploy.mode !== 'replicated') at('deploy.mode', 'not supported: only replicated services');
  if (deploy?.endpoint_mode !== undefined && deploy.endpoint_mode !== 'dnsrr') {
    at('deploy.endpoint_mode', "not supported: the routing mesh (VIP) does not work on this host; Berth uses 'dnsrr'");
  }
  const resources = deploy?.resources as Record<string, unknown> | undefined;
  if (resources?.reservations !== undefined) at('deploy.resources.reservations', 'not supported: only limits');
  return issues;
}

/** Top-level networks, volumes, secrets and configs: only objects the stack owns. */
export function resourceKeyIssues(kind: 'networks' | 'volumes' | 'secrets' | 'configs', name: string, value: Record<string, unknown> | null): ComposeIssue[] {
  const issues: ComposeIssue[] = [];
  const at = (key: string, message: string) => issues.push({ path: `${kind}.${name}.${key}`, message: `${kind}.${name}: ${key}: ${message}` });
  const allowed: Record<typeof kind, string[]> = {
    networks: ['driver', 'internal', 'labels'],
    volumes: ['driver', 'labels'],
    secrets: ['labels', 'x-berth-variable'],
    configs: ['labels', 'x-berth-variable', 'x-berth-content'],
  };
  for (const key of Object.keys(value ?? {})) {
    if (key === 'external') at(key, 'refused: Berth only uses objects it creates and owns');
    else if (key === 'file') at(key, 'not supported: uploaded compose files carry no files; use x-berth-variable (or x-berth-content for configs)');
    else if (key === 'name') at(key, 'not supported: names are given by the stack namespace');
    else if (key === 'driver_opts' && kind === 'volumes') at(key, 'refused for safety: driver options can mount host paths');
    else if (!allowed[kind].includes(key)) at(key, 'not supported by Berth stacks');
  }
  const driver = value?.driver;
  if (kind === 'networks' && driver !== undefined && driver !== 'overlay') at('driver', 'not supported: stack networks are overlay networks');
  if (kind === 'volumes' && driver !== undefined && driver !== 'local') at('driver', 'not supported: only local volumes');
  if ((kind === 'secrets' || kind === 'configs') && value?.['x-berth-variable'] === undefined && value?.['x-berth-content'] === undefined) {
    at('x-berth-variable', `required: the environment variable holding the ${kind === 'secrets' ? 'secret' : 'config'}`);
  }
  return issues;
}
