// A Berth of its own for one test file, on the shared real services: its own database, Temporal
// namespace and instance name (so it never touches another test's containers), with the API
// built by createApp and workers either in this process or as a separate `berth worker`.
import { builtImagePrefix } from '../../src/domain/git-build.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import Docker from 'dockerode';
import postgres from 'postgres';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.js';
import type { createDeliveryDispatcher } from '../../api/webhooks/dispatcher.js';
import { openDatabase, type Database } from '../../db/client.js';
import { loadConfig, type Config } from '../../src/config.js';
import { LABEL, labelFilter } from '../../src/domain/labels.js';
import { routeFilePrefix } from '../../src/domain/route.js';
import { certificateFilePrefix } from '../../activities/router/certificate-files.js';
import type { DestinationStream } from 'pino';
import { createLogger } from '../../src/logger.js';
import { apiDeps } from '../../src/process/api-server.js';
import { createDockerClient } from '../../src/process/docker-client.js';
import { startWorkerProcess } from '../../src/process/worker-process.js';
import { startStaticServer, type StaticServer } from '../../src/services/static-server.js';
import { createTemporalClient } from '../../src/temporal/client.js';
import type { DataConverter } from '@temporalio/common';
import { watchKeyRing } from '../../src/process/key-ring-watch.js';
import type { KeyRing } from '../../src/secrets/key-ring.js';
import { loadSecretKey } from '../../src/secrets/secret-box.js';
import { berthDataConverter } from '../../src/temporal/payload-codec.js';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes.js';
import type { Workers } from '../../src/temporal/worker.js';
import { makeAdminToken, type TestUser } from './accounts.js';
import { freePort } from './free-port.js';
import { recordHistories } from './history-recorder.js';
import { removeSwarmObjects } from './swarm.js';
import type { SharedServices } from './services.js';
import type { Json } from './json.js';
import { staticSiteToken } from '../../src/secrets/static-site-token.js';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface ApiResponse<T = Json> {
  status: number;
  body: T;
}

export interface TestBerth {
  config: Config;
  /** The environment variables that configure this Berth (for spawned processes). */
  env: Record<string, string>;
  database: Database;
  temporal: Client;
  /** The API's key ring (the workers hold their own, read from the same database). */
  ring: KeyRing;
  /** What replaying this Berth's histories needs: its payloads are encrypted. */
  dataConverter: DataConverter;
  docker: Docker;
  /** A call to the API as the test's instance administrator (or as `token`'s owner). */
  api<T = Json>(method: string, path: string, body?: unknown, token?: string | null): Promise<ApiResponse<T>>;
  /** app.request with the administrator's token added (unless the init sets authorization). */
  request(path: string, init?: RequestInit): Promise<Response>;
  app: ReturnType<typeof createApp>;
  /** An instance administrator's admin-scope API token. */
  token: string;
  admin: TestUser;
  /** Starts intake workflows for stored webhook deliveries (as the API server's does). */
  dispatcher: ReturnType<typeof createDeliveryDispatcher>;
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  /** `berth worker` as its own process (for crash tests; `extraEnv` over this Berth's configuration; `args` such as ['--host', 'h2']); resolves once it polls. */
  spawnWorker(extraEnv?: Record<string, string>, args?: string[]): Promise<ChildProcess>;
  /** Berth's containers of this instance, optionally of one environment. */
  containers(environmentId?: string): Promise<Docker.ContainerInfo[]>;
  close(): Promise<void>;
}

function claimNamespace({ tempDir, namespaces }: SharedServices): string {
  const dir = join(tempDir, 'namespace-claims');
  mkdirSync(dir, { recursive: true });
  for (const ns of namespaces) {
    try {
      closeSync(openSync(join(dir, ns), 'wx'));
      return ns;
    } catch {
      // taken by another file
    }
  }
  throw new Error('no free Temporal namespace left in the test pool');
}

export interface BerthOptions {
  workers?: boolean;
  services?: SharedServices;
  /** Runs this Berth's own static server (nginx) for its static sites. */
  staticServer?: boolean;
  /** Extra configuration (environment variables) over the test defaults. */
  env?: Record<string, string>;
  /** Where the API's and workers' log lines go (default: stdout). */
  logDestination?: DestinationStream;
  /** Sees every statement sent to PostgreSQL (the parallel benchmark counts them per deploy). */
  onQuery?: (sql: string) => void;
}

export async function startBerth(options: BerthOptions = {}): Promise<TestBerth> {
  const services = options.services ?? inject('services');
  const suffix = randomBytes(4).toString('hex');
  const dbName = `berth_${suffix}`;
  const admin = postgres(services.postgresAdminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  await admin.end();

  const dataDir = mkdtempSync(join(services.tempDir, 'berth-'));
  const env: Record<string, string> = {
    BERTH_DATA_DIR: dataDir,
    BERTH_TOOLS_DIR: services.toolsDir,
    DATABASE_URL: `${services.postgresAdminUrl.replace(/\/postgres$/, '')}/${dbName}`,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_NAMESPACE: claimNamespace(services),
    BERTH_INSTANCE: `t-${suffix}`,
    BERTH_API_PORT: String(await freePort()),
    BERTH_TRAEFIK_PORT: String(services.traefik.entryPort),
    BERTH_TRAEFIK_API_URL: services.traefik.apiUrl,
    BERTH_TRAEFIK_ENTRY_URL: services.traefik.entryUrl,
    BERTH_TRAEFIK_ROUTES_DIR: services.traefik.routesDir,
    BERTH_TRAEFIK_HTTPS_PORT: String(services.traefik.httpsPort),
    BERTH_LOG_LEVEL: process.env.BERTH_TEST_LOG_LEVEL ?? 'warn',
    BERTH_LOG_FORMAT: 'json',
    BERTH_STATIC_PORT: String(await freePort()),
    BERTH_SECRET_KEY: randomBytes(32).toString('base64'),
    // The machine's engine is shared with other test runs: its BuildKit cgroup is not a test's
    // to limit (test/integration/host-guards.test.ts limits a daemon of its own).
    BERTH_BUILD_MEMORY_MB: '0',
    BERTH_BUILD_CPUS: '0',
    BERTH_WORKFLOW_BUNDLE: services.workflowBundle,
    // The post-switch watch would add its seconds to every second deploy of the suite; the
    // tests that are about it set it per environment.
    BERTH_WATCH_SECONDS: '0',
    // Fresh figures on every scrape, and no metrics listeners on fixed ports (tests run side by side).
    BERTH_METRICS_REFRESH_MS: '0',
    BERTH_WORKER_METRICS_LISTEN: 'off',
    BERTH_TEMPORAL_METRICS_LISTEN: 'off',
    // Tests run reconcile when they need a pass (POST /api/v1/reconcile) or rely on Docker's
    // events; a scheduled pass (every 60 s by default) could land inside any test's window and
    // heal or sweep what the test is about to look at. The schedule is still created.
    BERTH_RECONCILE_INTERVAL_SECONDS: '86400',
    ...options.env,
  };
  const config = loadConfig(env);
  const log = createLogger(config.log, options.logDestination);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir, ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
  const keys = await watchKeyRing(database.db, loadSecretKey(config.secrets), log, config.secrets.previousKey);
  const temporal = await createTemporalClient(config.temporal, keys.ring);
  await ensureSearchAttributes(temporal, config.temporal.namespace);
  const docker = createDockerClient(config.docker);
  // Webhook deliveries are swept often, so a test sees a lost dispatch picked up quickly.
  const deps = apiDeps({ config, database, temporal, log, ring: keys.ring }, { sweepEveryMs: 1000 });
  const app = createApp(deps);
  const owner = await makeAdminToken(database.db);
  const withToken = (init: RequestInit = {}, token: string | null = owner.token): RequestInit => {
    const headers = new Headers(init.headers);
    if (token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    return { ...init, headers };
  };
  const dispatcher = deps.dispatcher as ReturnType<typeof createDeliveryDispatcher>;
  dispatcher.start();

  let staticServer: StaticServer | null = null;
  if (options.staticServer) {
    staticServer = await startStaticServer(config.static.nginxBinary, {
      dir: join(dataDir, 'static-server'),
      staticDir: config.static.dir,
      port: config.static.port,
      token: staticSiteToken(keys.ring),
    });
  }
  let workers: Workers | null = null;
  const spawned = new Set<ChildProcess>();

  const berth: TestBerth = {
    config,
    env,
    database,
    temporal,
    ring: keys.ring,
    dataConverter: berthDataConverter(keys.ring),
    docker,
    app,
    token: owner.token,
    admin: owner.user,
    dispatcher,
    request: async (path, init) => app.request(path, withToken(init)),
    async api(method, path, body, token) {
      const res = await app.request(
        path,
        withToken(
          {
            method,
            headers: body === undefined ? {} : { 'content-type': 'application/json' },
            body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
          },
          token === undefined ? owner.token : token,
        ),
      );
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed as Json };
    },
    async startWorkers() {
      if (!workers) workers = await startWorkerProcess({ config, database, log });
    },
    async stopWorkers() {
      await workers?.shutdown();
      workers = null;
    },
    async spawnWorker(extraEnv = {}, args = []) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'worker', ...args], {
        cwd: ROOT,
        // Readiness is read from its "workers polling" info line.
        env: { ...process.env, ...env, ...extraEnv, BERTH_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      spawned.add(child);
      child.once('exit', () => spawned.delete(child));
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('workers polling')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`worker exited with ${code}:\n${output}`));
        });
      });
      return child;
    },
    async containers(environmentId) {
      return docker.listContainers({
        all: true,
        filters: { label: labelFilter(config.instance, environmentId ? { [LABEL.environment]: environmentId } : {}) },
      });
    },
    async close() {
      if (process.env.RECORD_HISTORIES_DIR) await recordHistories(temporal, process.env.RECORD_HISTORIES_DIR, berth.dataConverter.payloadCodecs ?? []);
      await dispatcher.stop();
      for (const child of spawned) child.kill('SIGKILL');
      await berth.stopWorkers();
      // Every route file of this instance (environments' and stack services' <environment>-<service>), with its .previous.
      // Certificate files (<instance>--tls-…) too.
      const prefixes = [routeFilePrefix(config.instance), certificateFilePrefix(config.instance)];
      const routeFiles = await readdir(config.traefik.routesDir).catch(() => [] as string[]);
      await Promise.all(
        routeFiles.filter((f) => prefixes.some((p) => f.startsWith(p) || f.startsWith(`.${p}`))).map((f) => rm(join(config.traefik.routesDir, f), { force: true })),
      );
      await removeSwarmObjects(docker, config.instance);
      for (const c of await berth.containers()) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
      // Images Berth built for this instance (berth-<instance>/<app>:<sha>), by tag: an image
      // that is also another tag (a build that changed nothing) keeps that tag.
      const prefix = builtImagePrefix(config.instance);
      const built = await docker.listImages({ filters: { reference: [`${prefix}*`] } });
      for (const tag of built.flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith(prefix))) {
        await docker.getImage(tag).remove().catch(() => {});
      }
      await staticServer?.stop();
      await temporal.connection.close();
      keys.stop();
      await database.close();
      const cleanup = postgres(services.postgresAdminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${dbName} with (force)`);
      await cleanup.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (options.workers !== false) await berth.startWorkers();
  return berth;
}
