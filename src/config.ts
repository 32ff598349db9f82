// The only reader of process.env. Every setting is validated here once and passed explicitly
// to the factories that need it.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** Pinned tool versions; scripts/setup.sh installs exactly these. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TRAEFIK_VERSION = '3.6.12';

const port = z.coerce
  .number({ error: 'expected a port number' })
  .int('expected a whole number')
  .min(1, 'expected a port number 1-65535')
  .max(65535, 'expected a port number 1-65535');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = z.url({ error: 'expected an absolute URL' });

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'expected host:port');

const envSchema = z.object({
  BERTH_DATA_DIR: z.string().min(1).optional(),
  BERTH_TOOLS_DIR: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional(),
  BERTH_API_HOST: z.string().min(1).default('127.0.0.1'),
  BERTH_API_PORT: port.default(7480),
  BERTH_PUBLIC_URL: url.optional(),
  BERTH_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  BERTH_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  BERTH_TEMPORAL_UI_PORT: port.default(8233),
  BERTH_TEMPORAL_UI_URL: url.optional(),
  BERTH_INSTANCE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'expected a short lowercase name (a-z, 0-9, -)')
    .default('default'),
  BERTH_HOST_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'expected a short lowercase name (a-z, 0-9, -)')
    .default('local'),
  DOCKER_SOCKET: z.string().min(1).default('/var/run/docker.sock'),
  BERTH_TRAEFIK_PORT: port.default(7481),
  BERTH_TRAEFIK_API_PORT: port.default(7482),
  BERTH_TRAEFIK_API_URL: url.optional(),
  BERTH_TRAEFIK_ENTRY_URL: url.optional(),
  BERTH_TRAEFIK_ROUTES_DIR: z.string().min(1).optional(),
  BERTH_APPS_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'expected a domain name such as localhost or apps.example.com')
    .default('localhost'),
  BERTH_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  BERTH_EMBEDDED_SERVICES: bool.default(true),
  BERTH_STACK_BIND_PATHS: z
    .string()
    .regex(/^(\/[^:]*)(:\/[^:]*)*$/, 'expected absolute paths separated by ":"')
    .optional(),
});

export interface Config {
  dataDir: string;
  toolsDir: string;
  databaseUrl: string | undefined;
  api: { host: string; port: number; publicUrl: string };
  log: { level: string; format: 'auto' | 'json' | 'pretty' };
  temporal: { address: string; namespace: string; uiPort: number; uiUrl: string; workflowBundle: string | undefined };
  /** Labels every Docker object this installation creates; it never touches another's. */
  instance: string;
  hostId: string;
  docker: { socketPath: string };
  traefik: { port: number; apiPort: number; apiUrl: string; entryUrl: string; routesDir: string };
  appsDomain: string;
  /** `berth dev` starts Temporal and Traefik itself; production points at running ones. */
  embeddedServices: boolean;
  /** Host paths (and below) that stack services may bind-mount; none by default. */
  stackBindPaths: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws ConfigError naming each wrong variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '?');
        const got = env[key];
        return `${key}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
      }),
    );
  }
  const e = parsed.data;
  const dataDir = resolve(e.BERTH_DATA_DIR ?? join(homedir(), '.local', 'share', 'berth'));
  const temporalHost = e.TEMPORAL_ADDRESS.replace(/:\d+$/, '');
  return {
    dataDir,
    toolsDir: resolve(e.BERTH_TOOLS_DIR ?? join(homedir(), '.cache', 'berth')),
    databaseUrl: e.DATABASE_URL,
    api: {
      host: e.BERTH_API_HOST,
      port: e.BERTH_API_PORT,
      publicUrl: (e.BERTH_PUBLIC_URL ?? `http://127.0.0.1:${e.BERTH_API_PORT}`).replace(/\/$/, ''),
    },
    log: { level: e.BERTH_LOG_LEVEL, format: e.BERTH_LOG_FORMAT },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      uiPort: e.BERTH_TEMPORAL_UI_PORT,
      uiUrl: (e.BERTH_TEMPORAL_UI_URL ?? `http://${temporalHost}:${e.BERTH_TEMPORAL_UI_PORT}`).replace(/\/$/, ''),
      workflowBundle: e.BERTH_WORKFLOW_BUNDLE,
    },
    instance: e.BERTH_INSTANCE,
    hostId: e.BERTH_HOST_ID,
    docker: { socketPath: e.DOCKER_SOCKET },
    traefik: {
      port: e.BERTH_TRAEFIK_PORT,
      apiPort: e.BERTH_TRAEFIK_API_PORT,
      apiUrl: (e.BERTH_TRAEFIK_API_URL ?? `http://127.0.0.1:${e.BERTH_TRAEFIK_API_PORT}`).replace(/\/$/, ''),
      entryUrl: (e.BERTH_TRAEFIK_ENTRY_URL ?? `http://127.0.0.1:${e.BERTH_TRAEFIK_PORT}`).replace(/\/$/, ''),
      routesDir: resolve(e.BERTH_TRAEFIK_ROUTES_DIR ?? join(dataDir, 'traefik', 'routes')),
    },
    appsDomain: e.BERTH_APPS_DOMAIN,
    embeddedServices: e.BERTH_EMBEDDED_SERVICES,
    stackBindPaths: e.BERTH_STACK_BIND_PATHS ? e.BERTH_STACK_BIND_PATHS.split(':').map((p) => resolve(p)) : [],
  };
}

/** For entrypoints: a wrong setting ends the process with one line naming it. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`berth: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
