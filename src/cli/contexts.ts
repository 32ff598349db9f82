// Where the CLI finds Berth and its token: named contexts in a config file (like kubectl's),
// one of them current, the file readable by its owner only (mode 0600, in a 0700 directory).
// BERTH_URL and BERTH_TOKEN override the file, for CI. This is the one place the client
// commands read the environment.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

export interface Context {
  url: string;
  token: string;
  /** Who the token belonged to when it was saved (shown by `berth context list`). */
  user?: string;
}

export interface ContextFile {
  current: string | null;
  contexts: Record<string, Context>;
}

/** What a command talks to, and where that came from. */
export interface Target {
  url: string;
  token: string;
  context: string | null;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_CONFIG) return env.BERTH_CONFIG;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'berth', 'config.json');
}

export async function readContexts(path = configPath()): Promise<ContextFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { current: null, contexts: {} };
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ContextFile>;
    return { current: parsed.current ?? null, contexts: parsed.contexts ?? {} };
  } catch {
    throw new CliError(`${path} is not valid JSON: fix or remove it`);
  }
}

/** Written to a temporary file that is never readable by others, then renamed over the old one. */
export async function writeContexts(file: ContextFile, path = configPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

/** The URL and token for a command: BERTH_URL/BERTH_TOKEN, else the named or current context. */
export async function resolveTarget(contextName: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const file = await readContexts(configPath(env));
  const name = contextName ?? env.BERTH_CONTEXT ?? file.current;
  if (contextName && !file.contexts[contextName]) throw new CliError(`no context ${contextName} (berth context list shows them)`, EXIT.usage);
  const saved = name ? file.contexts[name] : undefined;
  const url = env.BERTH_URL || saved?.url;
  const token = env.BERTH_TOKEN || saved?.token;
  if (!url || !token) {
    throw new CliError('not logged in: run `berth login URL`, or set BERTH_URL and BERTH_TOKEN', EXIT.unauthenticated);
  }
  return { url: url.replace(/\/+$/, ''), token, context: env.BERTH_URL && env.BERTH_TOKEN ? null : (name ?? null) };
}
