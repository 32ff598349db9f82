// A schema-valid compose document → the StackSpec Berth runs, with the semantic checks the
// schema cannot make: references to unknown services, networks, volumes, secrets and configs,
// depends_on cycles and conditions the dependency cannot meet, bind mounts outside the allowed
// paths, and Berth's own x-berth settings.
import { placementConstraints } from './placement.js';
import { posix } from 'node:path';
import { rolloutLevels, type DependsCondition, type StackHealthcheck, type StackMount, type StackService, type StackSpec } from '../domain/stack.js';
import type { ComposeIssue } from './compose-issues.js';
import { commandList, listOrDict, parseBytes, parseDuration } from './compose-values.js';
import { normalizeBuild } from './normalize-build.js';
import { previewNameIssues } from './preview-names.js';
import type { ComposeDocument } from './compose-document.js';

/**
 * Service names become network aliases, part of Swarm service names (<namespace>_<service>) and,
 * with _ as -, DNS labels of routed host names.
 */
const SERVICE_NAME = /^[a-z0-9]([a-z0-9_-]{0,28}[a-z0-9])?$/;
export const MAX_REPLICAS = 20;

type Doc = ComposeDocument;

export interface NormalizeOptions {
  variables: Record<string, string>;
  /** Host paths (and everything below them) services may bind-mount. */
  allowedBindPaths: string[];
  /** The compose file's path in the app's repository; unset for uploaded files, which cannot build. */
  composePath?: string | undefined;
}

export function normalizeStack(doc: Doc, options: NormalizeOptions): { stack: StackSpec; issues: ComposeIssue[] } {
  const issues: ComposeIssue[] = [];
  const services = (doc.services ?? {}) as Record<string, Doc>;
  const declared = {
    networks: new Set(['default', ...Object.keys(doc.networks ?? {})]),
    volumes: new Set(Object.keys(doc.volumes ?? {})),
    secrets: new Set(Object.keys(doc.secrets ?? {})),
    configs: new Set(Object.keys(doc.configs ?? {})),
  };
  if (Object.keys(services).length === 0) issues.push({ path: 'services', message: 'a stack needs at least one service' });

  const stack: StackSpec = { services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} };
  for (const [name, raw] of Object.entries(services)) {
    const at = (key: string, message: string) => issues.push({ path: `services.${name}${key ? `.${key}` : ''}`, message: `service ${name}: ${key ? `${key}: ` : ''}${message}` });
    if (!SERVICE_NAME.test(name)) at('', 'service names become DNS names: lowercase letters, digits, hyphens and underscores, at most 30');
    stack.services[name] = normalizeService(name, raw ?? {}, { ...options, declared, at });
  }

  const used = new Set(Object.values(stack.services).flatMap((s) => s.networks.map((n) => n.name)));
  for (const name of declared.networks) {
    if (name !== 'default' || used.has('default')) {
      const n = (doc.networks?.[name] ?? {}) as Doc;
      stack.networks[name] = { internal: n.internal === true, labels: stringMap(listOrDict(n.labels)) };
    }
  }
  for (const name of declared.volumes) stack.volumes[name] = { labels: stringMap(listOrDict(doc.volumes?.[name]?.labels)) };
  for (const kind of ['secrets', 'configs'] as const) {
    for (const name of declared[kind]) {
      const s = (doc[kind]?.[name] ?? {}) as Doc;
      const variable = s['x-berth-variable'] === undefined ? null : String(s['x-berth-variable']);
      if (variable !== null && !Object.hasOwn(options.variables, variable)) {
        issues.push({ path: `${kind}.${name}.x-berth-variable`, message: `${kind}.${name}: environment variable ${variable} is not set` });
      }
      stack[kind][name] = { variable, content: s['x-berth-content'] === undefined ? null : String(s['x-berth-content']) };
    }
  }

  checkDependencies(stack, issues);
  const main = Object.values(stack.services).filter((s) => s.expose?.main);
  if (main.length > 1) issues.push({ path: 'services', message: `only one service can answer on the environment's host names; x-berth.main is set on ${main.map((s) => s.name).join(', ')}` });
  const exposed = Object.values(stack.services).filter((s) => s.expose);
  if (exposed.length === 1 && main.length === 0 && exposed[0]?.expose) exposed[0].expose.main = true;
  issues.push(...previewNameIssues(exposed));
  return { stack, issues };
}

interface ServiceContext extends NormalizeOptions {
  declared: Record<'networks' | 'volumes' | 'secrets' | 'configs', Set<string>>;
  at: (key: string, message: string) => void;
}

function normalizeService(name: string, s: Doc, ctx: ServiceContext): StackService {
  const { at, declared } = ctx;
  const builds = ctx.composePath !== undefined && s.build !== undefined;
  if (builds && s.image !== undefined) {
    // Compose would tag the build with this name; on a shared engine that name may be an image
    // something else runs, so Berth tags builds under its own name instead.
    at('image', 'not with build: Berth tags what it builds itself (berth-<instance>/<app>/<service>:<commit>), never under a name another image on this engine may have; remove image');
  } else if (!builds && (typeof s.image !== 'string' || s.image === '')) {
    at('image', 'required: the image to run');
  }
  const deploy = (s.deploy ?? {}) as Doc;
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(listOrDict(s.environment))) {
    // A bare name takes its value from the environment's variables, as Compose takes it from the shell.
    if (value !== null) environment[key] = value;
    else if (Object.hasOwn(ctx.variables, key)) environment[key] = ctx.variables[key] as string;
  }
  const command = commandList(s.command);
  const entrypoint = commandList(s.entrypoint);
  if (s.command !== undefined && command === null) at('command', 'unbalanced quotes');
  if (s.entrypoint !== undefined && entrypoint === null) at('entrypoint', 'unbalanced quotes');

  const dependsOn: StackService['dependsOn'] = [];
  const deps = Array.isArray(s.depends_on)
    ? s.depends_on.map((d: string) => [d, 'service_started'] as const)
    : Object.entries((s.depends_on ?? {}) as Record<string, { condition: DependsCondition }>).map(([d, v]) => [d, v.condition] as const);
  for (const [service, condition] of deps) dependsOn.push({ service, condition });

  const networks: StackService['networks'] = [];
  const netEntries = Array.isArray(s.networks)
    ? s.networks.map((n: string) => [n, null] as const)
    : Object.entries((s.networks ?? {}) as Record<string, Doc | null>);
  for (const [net, opts] of netEntries.length ? netEntries : [['default', null] as const]) {
    if (!declared.networks.has(net)) at(`networks.${net}`, `network ${net} is not declared in the top-level networks`);
    const extra = opts && Array.isArray(opts.aliases) ? opts.aliases.map(String) : [];
    networks.push({ name: net, aliases: [...new Set([name, ...extra])] });
  }

  const restartCondition = deploy.restart_policy?.condition ?? restartFromCompose(s.restart);
  if (!['any', 'on-failure', 'none'].includes(restartCondition)) at('deploy.restart_policy.condition', 'must be any, on-failure or none');
  const replicas = deploy.replicas ?? 1;
  if (replicas < 0 || replicas > MAX_REPLICAS) at('deploy.replicas', `must be 0-${MAX_REPLICAS}`);
  const limits = (deploy.resources?.limits ?? {}) as Doc;
  const memory = limits.memory === undefined ? null : parseBytes(limits.memory);
  if (limits.memory !== undefined && (memory === null || memory < 6 * 1024 ** 2)) at('deploy.resources.limits.memory', 'a size of at least 6m, e.g. 256m or 1g');
  const cpus = limits.cpus === undefined ? null : Number(limits.cpus);
  if (cpus !== null && !(cpus > 0)) at('deploy.resources.limits.cpus', 'a positive number of CPUs');

  return {
    name,
    image: builds ? '' : String(s.image ?? ''),
    ...(builds ? { build: normalizeBuild(s.build, ctx.composePath as string, ctx.variables, at) } : {}),
    entrypoint,
    command,
    environment,
    labels: stringMap(listOrDict(s.labels)),
    serviceLabels: stringMap(listOrDict(deploy.labels)),
    workingDir: s.working_dir ?? null,
    user: s.user === undefined ? null : String(s.user),
    hostname: s.hostname ?? null,
    init: s.init === true,
    readOnly: s.read_only === true,
    stopSignal: s.stop_signal ?? null,
    stopGracePeriodMs: duration(s.stop_grace_period, 'stop_grace_period', at),
    dependsOn,
    healthcheck: healthcheck(s.healthcheck, at),
    replicas,
    restart: restartCondition,
    restartDelayMs: duration(deploy.restart_policy?.delay, 'deploy.restart_policy.delay', at),
    restartMaxAttempts: deploy.restart_policy?.max_attempts ?? 0,
    updateOrder: deploy.update_config?.order ?? 'start-first',
    networks,
    mounts: mounts(s, ctx),
    secrets: refs(s.secrets, 'secrets', declared.secrets, at, (n) => `/run/secrets/${n}`),
    configs: refs(s.configs, 'configs', declared.configs, at, (n) => `/${n}`),
    resources: { memoryBytes: memory, nanoCpus: cpus === null ? null : Math.round(cpus * 1e9) },
    capDrop: (s.cap_drop ?? []).map(String),
    ...(s.cap_add?.length ? { capAdd: (s.cap_add as unknown[]).map(String) } : {}),
    ...(s.sysctls ? { sysctls: stringMap(listOrDict(s.sysctls)) } : {}),
    ...placementOf(deploy, s['x-berth'], at),
    expose: expose(s['x-berth'], at),
  };
}

function restartFromCompose(restart: unknown): string {
  if (restart === undefined || restart === 'always' || restart === 'unless-stopped') return 'any';
  if (restart === 'no') return 'none';
  if (typeof restart === 'string' && restart.startsWith('on-failure')) return 'on-failure';
  return String(restart);
}

function duration(value: unknown, key: string, at: ServiceContext['at']): number | null {
  if (value === undefined) return null;
  const ms = parseDuration(String(value));
  if (ms === null) at(key, 'not a duration such as 10s or 1m30s');
  return ms;
}

function healthcheck(h: Doc | undefined, at: ServiceContext['at']): StackHealthcheck | null {
  if (!h || h.disable === true) return null;
  const test = Array.isArray(h.test) ? h.test.map(String) : typeof h.test === 'string' ? ['CMD-SHELL', h.test] : null;
  if (!test) {
    at('healthcheck.test', 'required: the command that checks the service');
    return null;
  }
  if (test[0] === 'NONE') return null;
  if (!['CMD', 'CMD-SHELL'].includes(test[0] as string)) at('healthcheck.test', 'a list starts with CMD, CMD-SHELL or NONE');
  // Docker's defaults.
  return {
    test,
    intervalMs: duration(h.interval, 'healthcheck.interval', at) ?? 30_000,
    timeoutMs: duration(h.timeout, 'healthcheck.timeout', at) ?? 30_000,
    retries: h.retries ?? 3,
    startPeriodMs: duration(h.start_period, 'healthcheck.start_period', at) ?? 0,
  };
}

function mounts(s: Doc, ctx: ServiceContext): StackMount[] {
  const out: StackMount[] = [];
  for (const [i, v] of ((s.volumes ?? []) as unknown[]).entries()) {
    const m = typeof v === 'string' ? shortMount(v) : longMount(v as Doc);
    const key = `volumes.${i}`;
    if (!m) {
      ctx.at(key, `cannot read volume ${JSON.stringify(v)}`);
      continue;
    }
    if (m.type === 'bind') {
      const source = m.source ?? '';
      if (!source.startsWith('/')) ctx.at(key, `bind mount ${source}: relative paths are not supported (uploaded compose files have no directory)`);
      else if (!ctx.allowedBindPaths.some((p) => within(posix.normalize(source), posix.normalize(p)))) {
        ctx.at(key, `refused for safety: bind mount of ${source} is outside the allowed paths (${ctx.allowedBindPaths.join(', ') || 'none allowed'}); an administrator can allow host paths with BERTH_STACK_BIND_PATHS`);
      }
    } else if (m.type === 'volume' && m.source !== null && !ctx.declared.volumes.has(m.source)) {
      ctx.at(key, `volume ${m.source} is not declared in the top-level volumes`);
    } else if (!['volume', 'tmpfs', 'bind'].includes(m.type)) {
      ctx.at(key, `mount type ${m.type} is not supported`);
    }
    out.push(m);
  }
  for (const target of s.tmpfs ? [s.tmpfs].flat().map(String) : []) out.push({ type: 'tmpfs', source: null, target, readOnly: false });
  return out;
}

function shortMount(text: string): StackMount | null {
  const parts = text.split(':');
  if (parts.length === 1) return { type: 'volume', source: null, target: text, readOnly: false };
  const [source = '', target = '', mode = 'rw'] = parts;
  if (parts.length > 3 || !target) return null;
  const bind = source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
  return { type: bind ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
}

function longMount(v: Doc): StackMount | null {
  if (typeof v.target !== 'string') return null;
  return { type: v.type, source: v.source ?? null, target: v.target, readOnly: v.read_only === true };
}

function within(path: string, root: string): boolean {
  const r = root.endsWith('/') ? root : `${root}/`;
  return path === root || path.startsWith(r);
}

function refs(value: unknown, kind: 'secrets' | 'configs', declared: Set<string>, at: ServiceContext['at'], defaultTarget: (n: string) => string) {
  const out: { source: string; target: string }[] = [];
  for (const [i, v] of ((value ?? []) as unknown[]).entries()) {
    const source = typeof v === 'string' ? v : String((v as Doc).source);
    const target = typeof v === 'string' ? defaultTarget(v) : ((v as Doc).target ?? defaultTarget(source));
    if (!declared.has(source)) at(`${kind}.${i}`, `${kind === 'secrets' ? 'secret' : 'config'} ${source} is not declared in the top-level ${kind}`);
    out.push({ source, target: target.startsWith('/') ? target : `/run/secrets/${target}` });
  }
  return out;
}

function placementOf(deploy: Doc, x: unknown, at: ServiceContext['at']): Pick<StackService, 'placement'> {
  const host = x && typeof x === 'object' && !Array.isArray(x) ? (x as Doc).host : undefined;
  const constraints = placementConstraints(deploy, host, at);
  return constraints.length ? { placement: constraints } : {};
}

function expose(x: unknown, at: ServiceContext['at']): StackService['expose'] {
  if (x === undefined || x === null) return null;
  if (typeof x !== 'object' || Array.isArray(x)) {
    at('x-berth', 'a mapping: { port, path, main }');
    return null;
  }
  const { port, path = '/', main = false, host: _host, ...rest } = x as Doc;
  for (const key of Object.keys(rest)) at(`x-berth.${key}`, 'not a Berth setting (port, path, main, host)');
  if (port === undefined) return null;
  if (!Number.isInteger(port) || port < 1 || port > 65535) at('x-berth.port', 'a container port 1-65535');
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(path)) at('x-berth.path', 'an absolute URL path such as /healthz');
  if (typeof main !== 'boolean') at('x-berth.main', 'true or false');
  return { port: Number(port), path: String(path), main: main === true };
}

function checkDependencies(stack: StackSpec, issues: ComposeIssue[]): void {
  for (const s of Object.values(stack.services)) {
    for (const d of s.dependsOn) {
      const path = `services.${s.name}.depends_on.${d.service}`;
      const dep = stack.services[d.service];
      if (!dep) issues.push({ path, message: `service ${s.name}: depends_on: unknown service ${d.service}` });
      else if (d.condition === 'service_healthy' && !dep.healthcheck && !dep.expose) {
        issues.push({ path, message: `service ${s.name}: depends_on: ${d.service} has no healthcheck (nor x-berth.port to probe), so it can never be service_healthy` });
      } else if (d.condition === 'service_completed_successfully' && dep.restart === 'any') {
        issues.push({ path, message: `service ${s.name}: depends_on: ${d.service} restarts forever (restart_policy any), so it never completes; give it restart_policy none or on-failure` });
      }
    }
  }
  const { cycle } = rolloutLevels(Object.fromEntries(Object.values(stack.services).map((s) => [s.name, s.dependsOn.map((d) => d.service)])));
  if (cycle) issues.push({ path: `services.${cycle[0]}.depends_on`, message: `depends_on cycle: ${cycle.join(' → ')}` });
}

function stringMap(m: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v ?? '']));
}
