// A whole compose document translated for Swarm and Berth (see translate-service.ts for one
// service): top-level keys, profiles, links, and the stack's networks, volumes, secrets and
// configs. Returns the document Berth normalises, the secrets read from the repository (they
// travel as sealed variables, never in the stack spec), and every warning and issue.
import { ComposeFindings, type ComposeIssue } from './compose-issues.js';
import { checkServiceKeys } from './stack-policy.js';
import { translateBinds } from './translate-binds.js';
import { addAlias, readRepoFile, translateService, type TranslateOptions } from './translate-service.js';
import type { ComposeDocument } from './compose-document.js';

type Doc = ComposeDocument;

export interface TranslatedDocument {
  doc: Doc;
  /** Variable name → content of each secret read from a file of the repository. */
  fileSecrets: Record<string, string>;
  warnings: ComposeIssue[];
  issues: ComposeIssue[];
}

/** The variable a repository file's secret travels in (sealed with the release's secret variables). */
export const fileSecretVariable = (name: string) => `BERTH_FILE_SECRET_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;

export function translateDocument(input: Doc, options: TranslateOptions & { allowed: ReadonlySet<string> }): TranslatedDocument {
  const found = new ComposeFindings();
  const doc: Doc = { ...input };
  if (doc.version !== undefined) found.warn('version', 'obsolete in the compose specification: ignored');
  if (doc.name !== undefined) found.warn('name', "ignored: the stack's objects are named by the environment (berth-<environment>_<name>)");
  if (doc.include !== undefined) found.refuse('include', 'merges other compose files, which Berth does not read: merge them into this file');
  for (const key of ['models', 'jobs']) if (doc[key] !== undefined) found.warn(key, 'ignored: Berth runs the services');
  for (const key of ['version', 'name', 'models', 'jobs']) delete doc[key];

  const services: Record<string, Doc> = {};
  const skipped = new Map<string, string[]>();
  for (const [name, s] of Object.entries((doc.services ?? {}) as Record<string, Doc | null>)) {
    const profiles = Array.isArray(s?.profiles) ? (s.profiles as unknown[]).map(String) : [];
    if (profiles.length) {
      skipped.set(name, profiles);
      found.warn(`services.${name}.profiles`, `service ${name}: not deployed: it is in profile ${profiles.join(', ')}, which \`docker compose up\` starts only when enabled`);
      continue;
    }
    const { profiles: _none, ...rest } = s ?? {};
    services[name] = rest;
  }
  for (const [name, s] of Object.entries(services)) {
    for (const dep of dependencies(s.depends_on)) {
      if (skipped.has(dep)) found.refuse(`services.${name}.depends_on.${dep}`, `service ${name}: depends_on: ${dep} is in profile ${skipped.get(dep)?.join(', ')} and not deployed: remove its profiles or this dependency`);
    }
    translateLinks(name, s, services, found);
  }
  for (const [name, s] of Object.entries(services)) services[name] = checkServiceKeys(name, translateService(name, s, options, found), options.allowed, found);
  doc.services = services;
  translateBinds(services, doc, options.repo, found);

  const fileSecrets: Record<string, string> = {};
  for (const kind of ['networks', 'volumes', 'secrets', 'configs'] as const) {
    if (!doc[kind]) continue;
    doc[kind] = Object.fromEntries(
      Object.entries(doc[kind] as Record<string, Doc | null>).map(([name, v]) => [name, translateResource(kind, name, { ...(v ?? {}) }, options, found, fileSecrets)]),
    );
  }
  return { doc, fileSecrets, warnings: found.warnings, issues: found.issues };
}

function dependencies(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return Object.keys((value ?? {}) as Doc);
}

/** `links: [db:database]`: services reach each other by name already; an alias keeps the other name. */
function translateLinks(name: string, s: Doc, services: Record<string, Doc>, found: ComposeFindings): void {
  if (s.links === undefined) return;
  for (const [i, link] of ((s.links ?? []) as unknown[]).map(String).entries()) {
    const [target = '', alias] = link.split(':');
    const path = `services.${name}.links.${i}`;
    const other = services[target];
    if (!other) found.refuse(path, `service ${name}: links: ${target} is not a service of this stack`);
    else if (alias && alias !== target) {
      addAlias(other, alias);
      found.warn(path, `service ${name}: links: services reach each other by name on the stack networks; ${target} also answers as ${alias}`);
    } else found.warn(path, `service ${name}: links: not needed: services reach each other by name on the stack networks`);
  }
  delete s.links;
}

const KEPT: Record<'networks' | 'volumes' | 'secrets' | 'configs', string[]> = {
  networks: ['driver', 'internal', 'labels'],
  volumes: ['driver', 'labels'],
  secrets: ['labels', 'x-berth-variable'],
  configs: ['labels', 'x-berth-variable', 'x-berth-content'],
};

function translateResource(
  kind: 'networks' | 'volumes' | 'secrets' | 'configs',
  name: string,
  v: Doc,
  options: TranslateOptions,
  found: ComposeFindings,
  fileSecrets: Record<string, string>,
): Doc {
  const path = (key: string) => `${kind}.${name}.${key}`;
  const refuse = (key: string, message: string) => found.refuse(path(key), `${kind}.${name}: ${key}: ${message}`);
  const warn = (key: string, message: string) => found.warn(path(key), `${kind}.${name}: ${key}: ${message}`);
  if (v.external !== undefined && v.external !== false) refuse('external', `Berth uses only the ${kind} it creates and owns for the stack; remove external (and define it here) so Berth creates it`);
  delete v.external;
  if (v.name !== undefined) warn('name', "ignored: the stack's objects are named by the environment (berth-<environment>_<name>)");
  delete v.name;

  if (kind === 'networks') {
    if (v.driver === 'bridge') warn('driver', 'bridge becomes overlay: stack networks span the Swarm');
    else if (v.driver !== undefined && v.driver !== 'overlay') refuse('driver', `${v.driver}: stack networks are overlay networks; remove driver`);
    delete v.driver;
  }
  if (kind === 'volumes') {
    if (v.driver_opts !== undefined) refuse('driver_opts', 'refused for safety: driver options can mount any host path; mount an allowed host path directly (BERTH_STACK_BIND_PATHS)');
    if (v.driver !== undefined && v.driver !== 'local') refuse('driver', `${v.driver}: only local volumes; remove driver`);
    delete v.driver_opts;
  }
  if (kind === 'secrets' || kind === 'configs') contentSource(kind, name, v, options, refuse, warn, fileSecrets);

  for (const key of Object.keys(v)) {
    if (KEPT[kind].includes(key) || key.startsWith('x-')) continue;
    warn(key, 'ignored: Berth does not apply it');
    delete v[key];
  }
  return v;
}

/** Where a secret's or config's content comes from, in Berth's terms (x-berth-variable or x-berth-content). */
function contentSource(
  kind: 'secrets' | 'configs',
  name: string,
  v: Doc,
  options: TranslateOptions,
  refuse: (k: string, m: string) => void,
  warn: (k: string, m: string) => void,
  fileSecrets: Record<string, string>,
): void {
  const noun = kind === 'secrets' ? 'secret' : 'config';
  if (v.environment !== undefined) {
    v['x-berth-variable'] = v.environment;
    delete v.environment;
  }
  if (kind === 'configs' && v.content !== undefined) {
    v['x-berth-content'] = v.content;
    delete v.content;
  }
  if (v.file !== undefined) {
    const file = String(v.file);
    delete v.file;
    if (!options.repo) {
      refuse('file', `${file}: an uploaded compose file carries no files: set the ${noun} as ${kind === 'secrets' ? 'a secret variable' : 'a variable'} of the environment and write environment: NAME (or x-berth-variable: NAME) instead of file:`);
      return;
    }
    let content: string;
    try {
      content = readRepoFile(options.repo, file);
    } catch (err) {
      refuse('file', `${file}: ${(err as Error).message}`);
      return;
    }
    if (kind === 'configs') v['x-berth-content'] = content;
    else {
      v['x-berth-variable'] = fileSecretVariable(name);
      fileSecrets[fileSecretVariable(name)] = content;
    }
    warn('file', `${file} read from the repository at the deployed commit`);
  }
  if (v['x-berth-variable'] === undefined && v['x-berth-content'] === undefined) {
    refuse('environment', `required: where the ${noun} comes from (environment: NAME, an environment variable${kind === 'configs' ? ', or content:' : ''})`);
  }
}
