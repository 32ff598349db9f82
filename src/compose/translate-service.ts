// What Swarm or Berth does differently from `docker compose up`, translated on one service before
// it is checked and normalised: each translation leaves a warning at its path, so the dry run
// says what changed; what cannot run here is an issue that says the one thing to change.
import type { ComposeFindings } from './compose-issues.js';
import { parseEnvFile } from './env-file.js';
import { looksHttp, parsePorts, routedPort, type PortEntry } from './ports.js';
import type { RepoFiles } from './translate-binds.js';
import type { ComposeDocument } from './compose-document.js';

type Doc = ComposeDocument;

export interface TranslateOptions {
  /** The compose file comes from the app's repository: `build:`, `env_file` and `file:` read the checkout. */
  builds: boolean;
  /** The Docker host's platform, e.g. linux/amd64. */
  hostPlatform: string;
  /** The repository at the deployed commit, relative to the compose file; absent for uploaded files. */
  repo?: RepoFiles | undefined;
}

/** A file of the repository's content, or an Error naming why not. */
export function readRepoFile(repo: RepoFiles, path: string): string {
  const entry = repo.entry(path);
  if (entry.kind === 'file') return entry.content;
  throw new Error(entry.kind === 'dir' ? 'a directory, not a file' : 'does not exist in the commit');
}

/** The service as Berth will read it; `found` collects warnings and issues. */
export function translateService(name: string, input: Doc, options: TranslateOptions, found: ComposeFindings): Doc {
  const s: Doc = { ...input };
  const at = (key: string) => `services.${name}.${key}`;
  const warn = (key: string, message: string) => found.warn(at(key), `service ${name}: ${key}: ${message}`);
  const refuse = (key: string, message: string) => found.refuse(at(key), `service ${name}: ${key}: ${message}`);

  if (s.ports !== undefined) translatePorts(name, s, warn, refuse);
  if (s.networks && !Array.isArray(s.networks)) s.networks = networkOptions(s.networks as Record<string, Doc | null>, warn);
  if (s.container_name !== undefined) {
    addAlias(s, String(s.container_name));
    warn('container_name', `Swarm names containers by their tasks; ${s.container_name} stays a network alias of the service, so other services still reach it by that name`);
    delete s.container_name;
  }
  for (const key of ['stdin_open', 'tty'] as const) {
    if (s[key] === true) warn(key, 'ignored: no terminal is attached to a service');
    delete s[key];
  }
  if (s.platform !== undefined) {
    const [os, arch] = String(s.platform).split('/');
    const [hostOs, hostArch] = options.hostPlatform.split('/');
    if (os !== hostOs || (arch !== undefined && arch !== hostArch)) {
      refuse('platform', `${s.platform} images cannot run on this ${options.hostPlatform} host; remove platform to run the image's ${options.hostPlatform} variant`);
    }
    delete s.platform;
  }
  moveToDeploy(s, warn);
  if (s.build !== undefined && !options.builds) {
    if (typeof s.image === 'string' && s.image !== '') {
      warn('build', `not built for an uploaded compose file: the image ${s.image} is deployed (a stack whose compose file comes from its git repository builds it)`);
      delete s.build;
    } else {
      refuse('build', 'this service is built from its sources, which an uploaded compose file does not carry: give it an image, or make the app a stack from its git repository (git.composeFile) so Berth builds it');
    }
  }
  if (s.env_file !== undefined) readEnvFiles(s, options, warn, refuse);
  if (s.network_mode === 'bridge' || s.network_mode === 'default') {
    warn('network_mode', 'ignored: services join the stack overlay networks');
    delete s.network_mode;
  }
  for (const key of ['privileged', 'oom_kill_disable', 'use_api_socket'] as const) if (s[key] === false) delete s[key];
  return s;
}

function translatePorts(name: string, s: Doc, warn: (k: string, m: string) => void, refuse: (k: string, m: string) => void): void {
  const entries = parsePorts(s.ports);
  const read = entries.filter((e): e is PortEntry => typeof e !== 'string');
  for (const [i, e] of entries.entries()) if (typeof e === 'string') refuse(`ports.${i}`, `cannot read port ${e}`);
  const xberth = (s['x-berth'] ?? {}) as Doc;
  const chosen = xberth.port !== undefined ? (read.find((e) => e.target === Number(xberth.port)) ?? null) : routedPort(read);
  if (chosen && xberth.port === undefined) s['x-berth'] = { ...xberth, port: chosen.target };
  const routed = chosen?.target ?? (xberth.port === undefined ? null : Number(xberth.port));
  for (const [i, e] of entries.entries()) {
    if (typeof e === 'string') continue;
    const host = e.published ? `; host port ${e.hostIp ? `${e.hostIp}:` : ''}${e.published} is not published (Berth routes through Traefik)` : '';
    if (e.target === routed && e === chosen) {
      const others = read.filter((o) => o !== e && looksHttp(o)).map((o) => o.target);
      const choose = others.length ? `; ${others.join(', ')} also look${others.length === 1 ? 's' : ''} like HTTP: set x-berth.port to route another` : '';
      warn(`ports.${i}`, `container port ${e.target} is routed through Traefik on the service's host names, probed at ${xberth.path ?? '/'} until it answers 200 (set x-berth.path otherwise)${host}${choose}`);
    } else if (e.protocol !== 'tcp') {
      refuse(
        `ports.${i}`,
        `${e.protocol.toUpperCase()} port ${e.target} would need a published host port: Traefik routes HTTP only and Berth publishes no host port (Swarm would publish it on every interface); remove the entry if only the stack's services use it (they reach it as ${name}:${e.target})`,
      );
    } else {
      warn(`ports.${i}`, `not published: the stack's other services reach it as ${name}:${e.target}${e.target === routed ? '' : routed === null ? '' : `; port ${routed} is the one routed`}`);
    }
  }
  delete s.ports;
}

/** Per-network settings Swarm does not give a task (fixed addresses, priorities): ignored, aliases kept. */
function networkOptions(networks: Record<string, Doc | null>, warn: (k: string, m: string) => void): Record<string, Doc | null> {
  const out: Record<string, Doc | null> = {};
  for (const [net, opts] of Object.entries(networks)) {
    if (!opts) {
      out[net] = opts;
      continue;
    }
    const { aliases, ...rest } = opts;
    for (const key of Object.keys(rest)) warn(`networks.${net}.${key}`, 'ignored: Swarm gives tasks their addresses; other services reach this one by its name and aliases');
    out[net] = aliases === undefined ? {} : { aliases };
  }
  return out;
}

/** A network alias on every network the service joins (the default one when it names none). */
export function addAlias(s: Doc, alias: string): void {
  const nets: Record<string, Doc | null> = Array.isArray(s.networks)
    ? Object.fromEntries((s.networks as string[]).map((n) => [n, null]))
    : { ...((s.networks ?? { default: null }) as Record<string, Doc | null>) };
  for (const [net, opts] of Object.entries(nets)) {
    const aliases = Array.isArray(opts?.aliases) ? (opts.aliases as unknown[]).map(String) : [];
    nets[net] = { ...(opts ?? {}), aliases: [...new Set([...aliases, alias])] };
  }
  s.networks = nets;
}

/** Compose's container-level limits, as Swarm's deploy section reads them. */
function moveToDeploy(s: Doc, warn: (k: string, m: string) => void): void {
  const deploy: Doc = { ...(s.deploy ?? {}) };
  const limits: Doc = { ...(deploy.resources?.limits ?? {}) };
  const move = (key: string, set: () => void, already: boolean, to: string) => {
    if (s[key] === undefined) return;
    if (already) warn(key, `ignored: ${to} is set`);
    else {
      set();
      warn(key, `applied as ${to}`);
    }
    delete s[key];
  };
  move('mem_limit', () => (limits.memory = s.mem_limit), limits.memory !== undefined, 'deploy.resources.limits.memory');
  move('cpus', () => (limits.cpus = s.cpus), limits.cpus !== undefined, 'deploy.resources.limits.cpus');
  move('scale', () => (deploy.replicas = s.scale), deploy.replicas !== undefined, 'deploy.replicas');
  if (Object.keys(limits).length) deploy.resources = { ...(deploy.resources ?? {}), limits };
  if (Object.keys(deploy).length) s.deploy = deploy;
}

function readEnvFiles(s: Doc, options: TranslateOptions, warn: (k: string, m: string) => void, refuse: (k: string, m: string) => void): void {
  const files = [s.env_file].flat().map((f: unknown) => (typeof f === 'string' ? { path: f, required: true } : (f as { path: string; required?: boolean })));
  const repo = options.repo;
  if (!repo) {
    refuse('env_file', `${files.map((f) => f.path).join(', ')}: an uploaded compose file carries no files; set these variables on the environment and list them under environment (KEY or KEY: \${KEY})`);
    return;
  }
  const fromFiles: Record<string, string> = {};
  for (const f of files) {
    let text: string;
    try {
      text = readRepoFile(repo, f.path);
    } catch (err) {
      if (f.required === false) continue;
      refuse('env_file', `${f.path}: ${(err as Error).message}`);
      continue;
    }
    Object.assign(fromFiles, parseEnvFile(text));
  }
  const environment = Array.isArray(s.environment)
    ? Object.fromEntries((s.environment as string[]).map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, null])))
    : ((s.environment ?? {}) as Record<string, unknown>);
  // As in Compose, environment wins over env_file.
  s.environment = { ...fromFiles, ...environment };
  warn('env_file', `read from the repository: ${Object.keys(fromFiles).length} variable(s) (environment overrides them)`);
  delete s.env_file;
}
