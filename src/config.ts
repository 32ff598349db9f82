// The only reader of process.env. Every setting is validated here once and passed explicitly
// to the factories that need it.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ALLOWABLE } from './compose/stack-policy.js';
import type { Config } from './config-shape.js';
import { DEFAULT_WATCH_SECONDS } from './domain/post-switch-watch.js';
import { notificationConfig, notificationEnv } from './config-notifications.js';
import { metricsConfig, metricsEnv } from './config-metrics.js';
import { hostsConfig, hostsEnv } from './config-hosts.js';
import { HOST_ID } from './domain/hosts.js';
import { BUILD_REGISTRY_EXPECTED, isBuildRegistry } from './domain/build-registry.js';
import { listenAddress, localAddresses } from './host-addresses.js';

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

const megabytes = z.coerce.number({ error: 'expected a size in MiB' }).positive('expected a size in MiB above 0').max(1_048_576);

const hostPort = z.string().regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'expected host:port');

const commaList = (item: RegExp, what: string) =>
  z
    .string()
    .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((list) => list.every((x) => item.test(x)), `expected ${what}, separated by commas`);

const filePath = z.string().min(1).regex(/^\//, 'expected an absolute file path');

/** Let's Encrypt's production directory; its staging one, or any ACME CA's, is a setting away. */
export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

/** A 256-bit key, base64-encoded. */
const base64Key = (hint: string) => z.string().refine((v) => Buffer.from(v, 'base64').length === 32, `expected 32 bytes, base64-encoded${hint}`).optional();

const envSchema = z.object({
  BERTH_DATA_DIR: z.string().min(1).optional(),
  BERTH_TOOLS_DIR: z.string().min(1).optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(),
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
  BERTH_HOST_ID: z.string().regex(HOST_ID, 'expected a short lowercase name (a-z, 0-9, -)').default('local'),
  DOCKER_SOCKET: z.string().min(1).default('/var/run/docker.sock'),
  BERTH_TRAEFIK_PORT: port.default(7481),
  BERTH_TRAEFIK_API_PORT: port.default(7482),
  BERTH_TRAEFIK_HTTPS_PORT: port.default(7484),
  BERTH_TRAEFIK_HTTPS_ENTRY_URL: url.optional(),
  BERTH_TRAEFIK_LOG_FILE: filePath.optional(),
  BERTH_HTTPS_PUBLIC_PORT: port.optional(),
  BERTH_ACME_DIRECTORY_URL: url.default(LETS_ENCRYPT_DIRECTORY),
  BERTH_ACME_EMAIL: z.email({ error: 'expected an e-mail address' }).optional(),
  BERTH_ACME_CA_CERTIFICATES: filePath.optional(),
  BERTH_ACME_DNS_PROVIDER: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, "expected a provider name of Traefik's DNS challenge (e.g. cloudflare)").optional(),
  BERTH_ACME_DNS_PROPAGATION_CHECK: bool.default(true),
  BERTH_ACME_DNS_RESOLVERS: commaList(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'host:port DNS servers').optional(),
  BERTH_DNS_CHECK_SERVERS: commaList(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'host:port DNS servers').optional(),
  BERTH_SERVER_ADDRESSES: commaList(/^[0-9a-fA-F.:]+$/, 'IP addresses').optional(),
  BERTH_TRAEFIK_API_URL: url.optional(),
  BERTH_TRAEFIK_ENTRY_URL: url.optional(),
  BERTH_TRAEFIK_ROUTES_DIR: z.string().min(1).optional(),
  BERTH_APPS_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'expected a domain name such as localhost or apps.example.com')
    .default('localhost'),
  BERTH_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  BERTH_RECONCILE_INTERVAL_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(5).max(86_400).default(60),
  BERTH_BUILD_CACHE_MAX_AGE_HOURS: z.coerce.number({ error: 'expected hours' }).int().min(0).max(365 * 24).default(168),
  BERTH_CLEANUP_INTERVAL_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(60).max(30 * 86_400).default(86_400),
  BERTH_STUCK_AFTER_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(30).max(7 * 86_400).default(1800),
  BERTH_STUCK_POLICY: z.enum(['report', 'cancel']).default('report'),
  BERTH_DOCKER_EVENTS: bool.default(true),
  BERTH_STATIC_PORT: port.default(7483),
  BERTH_STATIC_URL: url.optional(),
  BERTH_STATIC_SERVE: bool.default(false),
  BERTH_NGINX_BINARY: z.string().min(1).default('/usr/sbin/nginx'),
  BERTH_STATIC_MAX_ARCHIVE_MB: megabytes.default(512),
  BERTH_STATIC_MAX_UNPACKED_MB: megabytes.default(2048),
  BERTH_STATIC_MAX_ENTRIES: z.coerce.number({ error: 'expected a count' }).int('expected a whole number').min(1).max(10_000_000).default(100_000),
  BERTH_EMBEDDED_SERVICES: bool.default(true),
  BERTH_SECRET_KEY: base64Key(' (openssl rand -base64 32)'),
  BERTH_SECRET_KEY_PREVIOUS: base64Key(': the BERTH_SECRET_KEY being replaced'),
  BERTH_GITHUB_API_URL: url.default('https://api.github.com'),
  BERTH_GITHUB_WEB_URL: url.default('https://github.com'),
  BERTH_WEBHOOK_MAX_BYTES: z.coerce.number().int().min(1024, 'expected at least 1024 bytes').max(100 * 1024 * 1024).default(25 * 1024 * 1024),
  BERTH_WEBHOOK_DISPATCH_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(4),
  BERTH_REPO_SYNC_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  BERTH_WORKSPACES_DIR: z.string().min(1).optional(),
  BERTH_DOCKER_CLI: z.string().min(1).default('/usr/bin/docker'),
  BERTH_WATCH_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(0).max(3600).default(DEFAULT_WATCH_SECONDS),
  BERTH_PREVIEW_IDLE_SECONDS: z.coerce.number().int().min(1).max(365 * 24 * 3600).default(7 * 24 * 3600),
  BERTH_ALLOWED_HOSTS: commaList(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/, 'host names').optional(),
  BERTH_TRUSTED_PROXIES: commaList(/^[0-9a-fA-F.:]+$/, 'IP addresses').optional(),
  BERTH_SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(30 * 24 * 60).default(8 * 60),
  BERTH_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(90 * 24).default(7 * 24),
  BERTH_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(100 * 365).default(365),
  BERTH_WEBHOOK_LISTEN: hostPort.optional(),
  BERTH_WEBHOOK_PUBLIC_URL: url.optional(),
  TEMPORAL_TLS_CERT: filePath.optional(),
  TEMPORAL_TLS_KEY: filePath.optional(),
  TEMPORAL_TLS_CA: filePath.optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).max(253).optional(),
  BERTH_STACK_BIND_PATHS: z
    .string()
    .regex(/^(\/[^:]*)(:\/[^:]*)*$/, 'expected absolute paths separated by ":"')
    .optional(),
  BERTH_STACK_ALLOW: z
    .string()
    .regex(new RegExp(`^(${ALLOWABLE.join('|')})(,(${ALLOWABLE.join('|')}))*$`), `expected a comma-separated list of ${ALLOWABLE.join(', ')}`)
    .optional(),

  // Where builds are pushed and pulled by digest (unset: an image stays on the host that built it).
  BERTH_BUILD_REGISTRY: z.string().refine(isBuildRegistry, BUILD_REGISTRY_EXPECTED).optional(),
  // Host guards: what builds may use, and the free disk below which builds and pulls stop.
  BERTH_BUILD_MEMORY_MB: z.coerce.number({ error: 'expected a size in MiB (0: no limit)' }).int().min(0).max(1_048_576).default(2048),
  BERTH_BUILD_CPUS: z.coerce.number({ error: 'expected a number of CPUs (0: no limit)' }).min(0).max(1024).default(2),
  BERTH_BUILD_CGROUP: z.string().regex(/^\/[A-Za-z0-9_.\/-]+$/, 'expected an absolute cgroup path such as /docker/buildkit').default('/docker/buildkit'),
  BERTH_DISK_MIN_FREE_MB: z.coerce.number({ error: 'expected a size in MiB (0: no guard)' }).int().min(0).max(1_073_741_824).default(2048),
  BERTH_DISK_CLEANUP_FREE_MB: z.coerce.number({ error: 'expected a size in MiB (0: never early)' }).int().min(0).max(1_073_741_824).default(10_240),
  BERTH_DISK_CHECK_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(1).max(86_400).default(60),
  ...notificationEnv,
  ...metricsEnv,
  ...hostsEnv,
});

/** Never echoed back in an error message. */
const SECRET_VARIABLES = new Set(['BERTH_SECRET_KEY', 'BERTH_SECRET_KEY_PREVIOUS', 'DATABASE_URL']);

export type { Config, HostGuards, AcmeConfig, TemporalTls, StaticConfig, ArchiveLimits, MetricsConfig, HostConfig } from './config-shape.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws ConfigError naming each wrong variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value is no value (compose files pass `${X:-}` through as "").
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '?');
        const got = env[key];
        const shown = got === undefined || SECRET_VARIABLES.has(key) ? '' : ` (got ${JSON.stringify(got)})`;
        return `${key}: ${issue.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.BERTH_DISK_CLEANUP_FREE_MB > 0 && e.BERTH_DISK_CLEANUP_FREE_MB < e.BERTH_DISK_MIN_FREE_MB) {
    throw new ConfigError([`BERTH_DISK_CLEANUP_FREE_MB: expected at least BERTH_DISK_MIN_FREE_MB (${e.BERTH_DISK_MIN_FREE_MB}): the cleanup runs before builds stop`]);
  }
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
    throw new ConfigError(['TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: give both (the client certificate and its key) or neither']);
  }
  if (!e.TEMPORAL_TLS_CERT && (e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_SERVER_NAME)) {
    throw new ConfigError(['TEMPORAL_TLS_CA and TEMPORAL_TLS_SERVER_NAME need TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY']);
  }
  const dataDir = resolve(e.BERTH_DATA_DIR ?? join(homedir(), '.local', 'share', 'berth'));
  const temporalHost = e.TEMPORAL_ADDRESS.replace(/:\d+$/, '');
  return {
    dataDir,
    access: {
      allowedHosts: e.BERTH_ALLOWED_HOSTS ?? [],
      trustedProxies: e.BERTH_TRUSTED_PROXIES ?? [],
      auditRetentionDays: e.BERTH_AUDIT_RETENTION_DAYS,
      webhookListen: listenAddress(e.BERTH_WEBHOOK_LISTEN ?? 'off'),
      webhookPublicUrl: (e.BERTH_WEBHOOK_PUBLIC_URL ?? e.BERTH_PUBLIC_URL ?? `http://127.0.0.1:${e.BERTH_API_PORT}`).replace(/\/$/, ''),
    },
    sessions: { idleMinutes: e.BERTH_SESSION_IDLE_MINUTES, maxHours: e.BERTH_SESSION_MAX_HOURS },
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
      tls:
        e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY
          ? { certFile: e.TEMPORAL_TLS_CERT, keyFile: e.TEMPORAL_TLS_KEY, caFile: e.TEMPORAL_TLS_CA ?? null, serverName: e.TEMPORAL_TLS_SERVER_NAME ?? null }
          : null,
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
      httpsPort: e.BERTH_TRAEFIK_HTTPS_PORT,
      httpsEntryUrl: (e.BERTH_TRAEFIK_HTTPS_ENTRY_URL ?? `https://127.0.0.1:${e.BERTH_TRAEFIK_HTTPS_PORT}`).replace(/\/$/, ''),
      httpsPublicPort: e.BERTH_HTTPS_PUBLIC_PORT ?? e.BERTH_TRAEFIK_HTTPS_PORT,
      logFile: e.BERTH_TRAEFIK_LOG_FILE ?? join(dataDir, 'traefik', 'traefik.log'),
    },
    acme: {
      directoryUrl: e.BERTH_ACME_DIRECTORY_URL,
      email: e.BERTH_ACME_EMAIL,
      caCertificates: e.BERTH_ACME_CA_CERTIFICATES,
      dnsProvider: e.BERTH_ACME_DNS_PROVIDER,
      dnsResolvers: e.BERTH_ACME_DNS_RESOLVERS ?? [],
      dnsPropagationCheck: e.BERTH_ACME_DNS_PROPAGATION_CHECK,
    },
    domainCheck: { dnsServers: e.BERTH_DNS_CHECK_SERVERS ?? [], serverAddresses: e.BERTH_SERVER_ADDRESSES ?? localAddresses() },
    appsDomain: e.BERTH_APPS_DOMAIN,
    reconcile: {
      intervalSeconds: e.BERTH_RECONCILE_INTERVAL_SECONDS,
      cleanupIntervalSeconds: e.BERTH_CLEANUP_INTERVAL_SECONDS,
      buildCacheMaxAgeHours: e.BERTH_BUILD_CACHE_MAX_AGE_HOURS,
      stuckAfterSeconds: e.BERTH_STUCK_AFTER_SECONDS,
      stuckPolicy: e.BERTH_STUCK_POLICY,
      dockerEvents: e.BERTH_DOCKER_EVENTS,
    },
    static: {
      dir: join(dataDir, 'static'),
      port: e.BERTH_STATIC_PORT,
      url: (e.BERTH_STATIC_URL ?? `http://127.0.0.1:${e.BERTH_STATIC_PORT}`).replace(/\/$/, ''),
      nginxBinary: e.BERTH_NGINX_BINARY,
      serve: e.BERTH_STATIC_SERVE,
      limits: {
        archiveBytes: Math.floor(e.BERTH_STATIC_MAX_ARCHIVE_MB * 1024 * 1024),
        unpackedBytes: Math.floor(e.BERTH_STATIC_MAX_UNPACKED_MB * 1024 * 1024),
        entries: e.BERTH_STATIC_MAX_ENTRIES,
      },
    },
    embeddedServices: e.BERTH_EMBEDDED_SERVICES,
    secrets: { key: e.BERTH_SECRET_KEY ? Buffer.from(e.BERTH_SECRET_KEY, 'base64') : undefined, keyFile: join(dataDir, 'secret.key'), previousKey: e.BERTH_SECRET_KEY_PREVIOUS ? Buffer.from(e.BERTH_SECRET_KEY_PREVIOUS, 'base64') : undefined },
    github: {
      apiUrl: e.BERTH_GITHUB_API_URL.replace(/\/$/, ''),
      webUrl: e.BERTH_GITHUB_WEB_URL.replace(/\/$/, ''),
      webhookMaxBytes: e.BERTH_WEBHOOK_MAX_BYTES,
      dispatchConcurrency: e.BERTH_WEBHOOK_DISPATCH_CONCURRENCY,
      repoSyncMinutes: e.BERTH_REPO_SYNC_MINUTES,
    },
    builds: { workspacesDir: resolve(e.BERTH_WORKSPACES_DIR ?? join(dataDir, 'workspaces')), dockerCli: e.BERTH_DOCKER_CLI, registry: e.BERTH_BUILD_REGISTRY ?? null },
    previews: { idleSeconds: e.BERTH_PREVIEW_IDLE_SECONDS },
    deploys: { watchSeconds: e.BERTH_WATCH_SECONDS },
    stackBindPaths: e.BERTH_STACK_BIND_PATHS ? e.BERTH_STACK_BIND_PATHS.split(':').map((p) => resolve(p)) : [],
    stackAllow: e.BERTH_STACK_ALLOW ? e.BERTH_STACK_ALLOW.split(',') : [],
    ...metricsConfig(e),
    ...hostsConfig(e),
    guards: {
      build: { memoryBytes: e.BERTH_BUILD_MEMORY_MB * MIB, cpus: e.BERTH_BUILD_CPUS, cgroup: e.BERTH_BUILD_CGROUP },
      disk: { minFreeBytes: e.BERTH_DISK_MIN_FREE_MB * MIB, cleanupFreeBytes: e.BERTH_DISK_CLEANUP_FREE_MB * MIB, checkSeconds: e.BERTH_DISK_CHECK_SECONDS },
    },
    ...notificationConfig(e, e.BERTH_AUDIT_RETENTION_DAYS),
  };
}

const MIB = 1024 * 1024;

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
