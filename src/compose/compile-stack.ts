// A compose file (plus the environment's override and variables) → the stack Berth runs, or
// every reason it cannot run, each naming where: YAML parsing, interpolation, the compose
// specification's JSON schema, Berth's refusals, then the semantic checks.
import { parseDocument } from 'yaml';
import { planStack, type StackPlan, type StackSpec } from '../domain/stack.js';
import { ComposeInvalid, type ComposeIssue } from './compose-issues.js';
import { schemaIssues } from './compose-schema.js';
import { listOrDict } from './compose-values.js';
import { interpolateDocument } from './interpolate.js';
import { normalizeStack } from './normalize-stack.js';
import type { RepoFiles } from './translate-binds.js';
import { translateDocument } from './translate-document.js';
import type { ComposeDocument } from './compose-document.js';

/** A compose file is small; a bigger one is refused before it is parsed. */
export const MAX_COMPOSE_BYTES = 256 * 1024;
const MAX_ALIASES = 100;

export interface CompileInput {
  compose: string;
  /** The environment's override, merged over the file like a docker-compose.override.yml. */
  override?: string | null;
  variables: Record<string, string>;
  allowedBindPaths: string[];
  /**
   * The compose file's path in the app's git repository, for stacks whose file comes from there:
   * their services may `build:` from the checkout. Unset for uploaded files.
   */
  composePath?: string | undefined;
  /** The repository at the deployed commit (env_file, file: secrets and configs, relative bind mounts); git-backed stacks only. */
  repo?: RepoFiles | undefined;
  /** Unsafe keys an administrator allowed (BERTH_STACK_ALLOW). */
  allowed?: readonly string[] | undefined;
  /** The Docker host's platform (os/arch) that `platform:` is checked against; this process's by default. */
  hostPlatform?: string | undefined;
}

export interface CompiledStack {
  stack: StackSpec;
  plan: StackPlan;
  /** Variables used but not set (they became ""). */
  unsetVariables: string[];
  /** What Berth translated or ignored, each at its path. */
  warnings: ComposeIssue[];
  /** Secrets read from repository files: variable → content, to travel sealed with the secret variables. */
  fileSecrets: Record<string, string>;
}

/** Docker's name for this machine's architecture. */
export function thisPlatform(): string {
  const arch = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }[process.arch as string] ?? process.arch;
  return `linux/${arch}`;
}

type Doc = ComposeDocument;

export function compileStack(input: CompileInput): CompiledStack {
  const base = parseCompose(input.compose, 'compose');
  const override = input.override ? parseCompose(input.override, 'override') : null;
  const interpolated = interpolateDocument(base, input.variables);
  const over = override ? interpolateDocument(override, input.variables) : null;
  const fail = (issues: ComposeIssue[]) => {
    if (issues.length) throw new ComposeInvalid(issues);
  };
  fail([...interpolated.issues, ...(over?.issues.map((i) => ({ ...i, path: `override.${i.path}` })) ?? [])]);
  const merged = coerce(over ? mergeCompose(interpolated.value, over.value) : interpolated.value);

  fail(schemaIssues(merged));
  const translated = translateDocument(merged, {
    builds: input.composePath !== undefined,
    hostPlatform: input.hostPlatform ?? thisPlatform(),
    repo: input.repo,
    allowed: new Set(input.allowed ?? []),
  });
  fail(translated.issues);
  const variables = { ...input.variables, ...translated.fileSecrets };
  const { stack, issues } = normalizeStack(translated.doc, { variables, allowedBindPaths: input.allowedBindPaths, composePath: input.composePath });
  fail(issues);
  const unsetVariables = [...new Set([...interpolated.unset, ...(over?.unset ?? [])])].sort();
  return { stack, plan: planStack(stack), unsetVariables, warnings: translated.warnings, fileSecrets: translated.fileSecrets };
}

/** Compiles, answering the issues instead of throwing them. */
export function checkCompose(input: CompileInput): { ok: true; compiled: CompiledStack } | { ok: false; issues: ComposeIssue[] } {
  try {
    return { ok: true, compiled: compileStack(input) };
  } catch (err) {
    if (err instanceof ComposeInvalid) return { ok: false, issues: err.issues };
    throw err;
  }
}

export function parseCompose(text: string, what: 'compose' | 'override'): Doc {
  if (Buffer.byteLength(text) > MAX_COMPOSE_BYTES) throw new ComposeInvalid([{ path: what, message: `larger than ${MAX_COMPOSE_BYTES} bytes` }]);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, version: '1.2' });
  if (doc.errors.length) {
    throw new ComposeInvalid(doc.errors.map((e) => ({ path: what, message: `YAML: ${e.message.split('\n')[0]}` })));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new ComposeInvalid([{ path: what, message: `YAML: ${(err as Error).message}` }]);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ComposeInvalid([{ path: what, message: 'a compose file is a YAML mapping (services: …)' }]);
  }
  return value as Doc;
}

/**
 * Merges an override over a compose document: mappings merge key by key (environment and
 * labels too, in either form), anything else in the override replaces what was there.
 */
export function mergeCompose(base: Doc, override: Doc): Doc {
  return mergeValue(byKey(base), byKey(override)) as Doc;
}

function mergeValue(a: unknown, b: unknown): unknown {
  if (isMap(a) && isMap(b)) {
    const out: Doc = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeValue(out[k], v) : v;
    return out;
  }
  return b;
}

/** Environment and label lists as mappings, so an override changes one entry, not the list. */
function byKey(doc: Doc): Doc {
  const services = Object.fromEntries(
    Object.entries((doc.services ?? {}) as Record<string, Doc | null>).map(([name, s]) => {
      if (!s) return [name, s];
      const out: Doc = { ...s };
      if (Array.isArray(s.environment)) out.environment = listOrDict(s.environment);
      if (Array.isArray(s.labels)) out.labels = listOrDict(s.labels);
      return [name, out];
    }),
  );
  return doc.services ? { ...doc, services } : doc;
}

const isMap = (v: unknown): v is Doc => !!v && typeof v === 'object' && !Array.isArray(v);

/** Interpolation yields strings; where the specification wants a number or a boolean, convert. */
function coerce(doc: Doc): Doc {
  for (const s of Object.values((doc.services ?? {}) as Record<string, Doc | null>)) {
    if (!s) continue;
    toNumber(s.deploy, 'replicas');
    toNumber(s.healthcheck, 'retries');
    toNumber(s['x-berth'], 'port');
    toBoolean(s['x-berth'], 'main');
    toBoolean(s, 'init');
    toBoolean(s, 'read_only');
  }
  return doc;
}

function toNumber(obj: Doc | undefined, key: string): void {
  if (isMap(obj) && typeof obj[key] === 'string' && /^-?\d+$/.test(obj[key])) obj[key] = Number(obj[key]);
}

function toBoolean(obj: Doc | undefined, key: string): void {
  if (isMap(obj) && (obj[key] === 'true' || obj[key] === 'false')) obj[key] = obj[key] === 'true';
}
