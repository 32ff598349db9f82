// Temporal's own server (go.temporal.io/server, built by scripts/setup.sh test) on PostgreSQL:
// the production engine, where the dev server is SQLite in one process. Its four services
// (frontend, history, matching, worker) run in one process on free loopback ports; persistence
// and visibility are two databases of a PostgreSQL cluster the caller owns, their schema put
// there by Temporal's own SQL tool from the module's versioned schema. Killing it keeps
// everything it acknowledged (the database holds it), like a production server's crash.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { toolPaths } from '../../src/process/embedded-services.js';
import { TEMPORAL_DEV_TUNING, temporalAnswers } from '../../src/services/temporal-dev-server.js';
import { startProcess, waitUntilReady, type Supervised } from '../../src/services/child-process.js';
import { freePort } from './free-port.js';
import type { PostgresCluster } from './postgres-cluster.js';

/** Keep in step with scripts/setup.sh. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

export interface TemporalServer {
  address: string;
  process: Supervised;
  /** Starts it again on the same ports and databases (after a kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function temporalServerDir(toolsDir: string): string {
  return join(toolsDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/** Creates a database of `pg` and applies the server's versioned schema to it (persistence or visibility). */
function prepareDatabase(tool: string, schemaDir: string, pg: PostgresCluster, database: string, schema: 'temporal' | 'visibility'): void {
  const url = new URL(pg.url(database));
  const base = ['--plugin', 'postgres12', '--ep', url.hostname, '--port', url.port, '--user', url.username, '--db', database];
  const run = (...args: string[]) => execFileSync(tool, [...base, ...args], { stdio: 'pipe' });
  run('create-database');
  run('setup-schema', '--version', '0.0');
  run('update-schema', '--schema-dir', join(schemaDir, 'postgresql', 'v12', schema, 'versioned'));
}

function datastore(pg: PostgresCluster, database: string, maxConns: number): Record<string, unknown> {
  const url = new URL(pg.url(database));
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `${url.hostname}:${url.port}`,
      connectProtocol: 'tcp',
      user: url.username,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

/** The dev server's latency knobs, as the real server's dynamic config file says them. */
function dynamicConfig(): string {
  return TEMPORAL_DEV_TUNING.map((knob) => {
    const [key, value] = knob.split('=') as [string, string];
    return `${key}:\n  - value: ${value}\n`;
  }).join('');
}

export async function startTemporalServer(options: { toolsDir: string; pg: PostgresCluster; dir: string; namespaces: string[] }): Promise<TemporalServer> {
  const home = temporalServerDir(options.toolsDir);
  const tool = join(home, 'temporal-sql-tool');
  prepareDatabase(tool, join(home, 'schema'), options.pg, 'temporal', 'temporal');
  prepareDatabase(tool, join(home, 'schema'), options.pg, 'temporal_visibility', 'visibility');

  const port = await freePort();
  const services: Record<string, { rpc: Record<string, unknown> }> = {};
  for (const name of ['frontend', 'history', 'matching', 'worker']) {
    const grpcPort = name === 'frontend' ? port : await freePort();
    services[name] = { rpc: { grpcPort, membershipPort: await freePort(), bindOnLocalHost: true, ...(name === 'frontend' ? { httpPort: await freePort() } : {}) } };
  }
  const configDir = join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'dynamicconfig.yaml'), dynamicConfig());
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 4,
      datastores: { default: datastore(options.pg, 'temporal', 20), visibility: datastore(options.pg, 'temporal_visibility', 4) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${port}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: join(configDir, 'dynamicconfig.yaml'), pollInterval: '10s' },
  };
  // JSON is YAML: the server reads this file as its configuration.
  writeFileSync(join(configDir, 'development.yaml'), JSON.stringify(config, null, 2));

  const address = `127.0.0.1:${port}`;
  const logFile = join(options.dir, 'temporal-server.log');
  const start = async (): Promise<Supervised> => {
    const proc = startProcess('temporal-server', join(home, 'temporal-server'), ['--root', options.dir, '--config', 'config', '--env', 'development', 'start'], logFile);
    await waitUntilReady(proc, () => temporalAnswers(address), 120_000);
    return proc;
  };
  let proc = await start();
  for (const namespace of options.namespaces) await registerNamespace(options.toolsDir, address, namespace);

  return {
    address,
    get process() {
      return proc;
    },
    async restart() {
      proc = await start();
    },
    stop: () => proc.stop(),
  };
}

/**
 * A namespace, through the Temporal CLI as an operator would; the real server's frontends learn
 * of it from their namespace cache, which refreshes every few seconds: wait until it is known.
 */
async function registerNamespace(toolsDir: string, address: string, namespace: string): Promise<void> {
  const cli = toolPaths(toolsDir).temporal;
  execFileSync(cli, ['operator', 'namespace', 'create', '--address', address, '--namespace', namespace, '--retention', '24h'], { stdio: 'pipe' });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      execFileSync(cli, ['workflow', 'list', '--address', address, '--namespace', namespace, '--limit', '1'], { stdio: 'pipe' });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}
