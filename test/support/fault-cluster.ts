// A whole Berth installation made of real, separate processes that a fault-injection run can
// kill: its own Docker daemon, Temporal (the dev server with its SQLite file kept across kills,
// or Temporal's own server on the installation's PostgreSQL), PostgreSQL, Traefik, and
// `berth api` and `berth worker`. Every part listens on loopback, on free ports.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import Docker from 'dockerode';
import postgres from 'postgres';
import { toolPaths } from '../../src/process/embedded-services.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/services/temporal-dev-server.js';
import { startTraefik, type TraefikLayout, type TraefikProcess } from '../../src/services/traefik.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startDockerDaemon, type DockerDaemon } from './docker-daemon.js';
import { freePort } from './free-port.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import { startTemporalServer } from './temporal-server.js';
import { waitFor } from './wait.js';

const ROOT = new URL('../..', import.meta.url).pathname;

export const FAULT_KINDS = ['worker', 'api', 'temporal', 'traefik', 'postgres', 'docker'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** dev: the Temporal CLI's dev server (SQLite); server: Temporal's own server on PostgreSQL. */
export type TemporalEngine = 'dev' | 'server';

export interface FaultCluster {
  apiUrl: string;
  engine: TemporalEngine;
  entryUrl: string;
  routesDir: string;
  instance: string;
  docker: Docker;
  /** An administrator's API token, made with `berth admin` as an operator would. */
  token: string;
  /** Kills (SIGKILL; Docker: a restart) one part, starts it again, waits until it answers. */
  inject(kind: FaultKind): Promise<void>;
  /** The last output of the running `berth api` or `berth worker` (for a failure's report). */
  output(command: 'api' | 'worker'): string;
  /** The API and worker processes that died on their own (and were started again), in order. */
  crashes(): readonly ProcessCrash[];
  /** Everything a failed round's report needs: the processes' last output and the logs' tails. */
  diagnostics(): string;
  /** How its Docker daemon's containers are reached (docker-daemon.ts). */
  network(): string;
  stop(): Promise<void>;
}

/** A Berth process that exited without being told to, as its supervisor saw it. */
export interface ProcessCrash {
  command: 'api' | 'worker';
  at: number;
  how: string;
  lastOutput: string;
}

/** The first administrator and an API token, through `berth admin` (password on stdin). */
async function makeAdmin(env: NodeJS.ProcessEnv): Promise<string> {
  const admin = (...args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'admin', ...args], { cwd: ROOT, env, input: `${randomBytes(12).toString('hex')}\n` }).toString().trim();
  admin('create-user', '--email', 'operator@example.test', '--admin');
  return admin('create-token', '--email', 'operator@example.test', '--name', 'fault-rounds');
}

/** The last 40 kB of a log file, or why it could not be read. */
function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-40_000);
  } catch (err) {
    return `(${(err as Error).message})`;
  }
}

/** Either engine, as the cluster kills and restarts it. */
interface Engine {
  address: string;
  logFile: string;
  /** SIGKILL, then started again on the same address and data. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

async function startEngine(engine: TemporalEngine, tools: ReturnType<typeof toolPaths>, toolsDir: string, dir: string, pg: PostgresCluster): Promise<Engine> {
  if (engine === 'server') {
    const server = await startTemporalServer({ toolsDir, pg, dir: join(dir, 'temporal-server'), namespaces: ['default'] });
    return {
      address: server.address,
      logFile: join(dir, 'temporal-server', 'temporal-server.log'),
      async crash() {
        await server.process.kill();
        await server.restart();
      },
      stop: () => server.stop(),
    };
  }
  const devOptions = { binary: tools.temporal, port: await freePort(), uiPort: null, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log') };
  let dev: TemporalDevServer = await startTemporalDevServer(devOptions);
  return {
    address: dev.address,
    logFile: devOptions.logFile,
    async crash() {
      await dev.process.kill();
      dev = await startTemporalDevServer(devOptions);
    },
    stop: () => dev.stop(),
  };
}

export async function startFaultCluster(options: { toolsDir: string; images: string[]; name: string; swarm?: boolean; engine?: TemporalEngine }): Promise<FaultCluster> {
  const engine = options.engine ?? 'dev';
  const tools = toolPaths(options.toolsDir);
  const dir = mkdtempSync(join(tmpdir(), 'berth-fault-'));
  const stops: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  };
  try {
    const dockerd: DockerDaemon = await startDockerDaemon(join(dir, 'docker'), options.name);
    stops.push(() => dockerd.stop());
    dockerd.load(...options.images);
    // Stacks need Swarm: a Swarm of this daemon's own, not the machine's.
    if (options.swarm) await dockerd.enableSwarm();

    // Durable commits: a killed server must not lose what it acknowledged.
    const pg: PostgresCluster = await startPostgresCluster({ durable: true });
    stops.push(() => pg.stop());

    const temporal = await startEngine(engine, tools, options.toolsDir, dir, pg);
    stops.push(() => temporal.stop());

    const layout: TraefikLayout = {
      dir: join(dir, 'traefik'),
      routesDir: join(dir, 'routes'),
      entryPort: await freePort(),
      apiPort: await freePort(),
      defaultCertificate: { certFile: tools.certFile, keyFile: tools.keyFile },
    };
    let traefik: TraefikProcess = await startTraefik(tools.traefik, layout);
    stops.push(() => traefik.stop());

    // A prebuilt bundle: a restarted worker polls within a second instead of re-bundling.
    const bundle = join(dir, 'workflow-bundle.js');
    writeFileSync(bundle, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') })).code);

    const apiPort = await freePort();
    const env: Record<string, string> = {
      BERTH_DATA_DIR: join(dir, 'data'),
      BERTH_TOOLS_DIR: options.toolsDir,
      BERTH_INSTANCE: options.name,
      DATABASE_URL: pg.url('postgres'),
      TEMPORAL_ADDRESS: temporal.address,
      DOCKER_SOCKET: dockerd.socket,
      BERTH_API_PORT: String(apiPort),
      BERTH_TRAEFIK_PORT: String(layout.entryPort),
      BERTH_TRAEFIK_API_URL: traefik.apiUrl,
      BERTH_TRAEFIK_ENTRY_URL: traefik.entryUrl,
      BERTH_TRAEFIK_ROUTES_DIR: layout.routesDir,
      BERTH_WORKFLOW_BUNDLE: bundle,
      BERTH_RECONCILE_INTERVAL_SECONDS: '5',
      BERTH_STUCK_POLICY: 'cancel',
      BERTH_STUCK_AFTER_SECONDS: '300',
      BERTH_LOG_LEVEL: 'info',
      BERTH_LOG_FORMAT: 'json',
      BERTH_SECRET_KEY: randomBytes(32).toString('base64'),
    };
    mkdirSync(env.BERTH_DATA_DIR as string, { recursive: true });

    const processes: Partial<Record<'api' | 'worker', ChildProcess>> = {};
    const expectedExit = new WeakSet<ChildProcess>();
    const crashes: ProcessCrash[] = [];
    let stopping = false;
    /** A supervisor's restart not yet made: an injected kill and start replaces it (never two processes). */
    const restarts: Partial<Record<'api' | 'worker', NodeJS.Timeout>> = {};
    stops.push(() => {
      stopping = true;
    });
    const outputs: Record<'api' | 'worker', string> = { api: '', worker: '' };
    const startBerthProcess = async (command: 'api' | 'worker') => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), command], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        outputs[command] = output;
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      processes[command] = child;
      // Supervised as compose's `restart: unless-stopped` does in production: a process that
      // dies on its own (not by a fault this cluster injects) is counted and started again.
      child.once('exit', (code, signal) => {
        if (expectedExit.has(child) || stopping) return;
        crashes.push({ command, at: Date.now(), how: signal ?? `exit ${code}`, lastOutput: output.slice(-4000) });
        restarts[command] = setTimeout(() => {
          restarts[command] = undefined;
          if (!stopping) void startBerthProcess(command).catch(() => undefined);
        }, 1000);
      });
      if (command === 'worker') {
        await waitFor('the worker to poll', async () => output.includes('workers polling') || (child.exitCode !== null && Promise.reject(new Error(output))), 120_000, 100);
      } else {
        await waitFor('the API to answer', async () => (await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status > 0, 120_000, 100);
      }
    };
    const kill = async (command: 'api' | 'worker') => {
      const child = processes[command];
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      expectedExit.add(child);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    };
    stops.push(() => kill('api'), () => kill('worker'));
    // `berth migrate` first, as production does: schema and search attributes.
    await new Promise<void>((resolve, reject) => {
      const m = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'migrate'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
      m.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`berth migrate exited ${code}`))));
    });
    const token = await makeAdmin({ ...process.env, ...env });
    await startBerthProcess('worker');
    await startBerthProcess('api');

    return {
      apiUrl: `http://127.0.0.1:${apiPort}`,
      engine,
      entryUrl: traefik.entryUrl,
      routesDir: layout.routesDir,
      instance: options.name,
      docker: new Docker({ socketPath: dockerd.socket }),
      token,
      async inject(kind) {
        switch (kind) {
          case 'worker':
          case 'api':
            clearTimeout(restarts[kind]);
            restarts[kind] = undefined;
            await kill(kind);
            await startBerthProcess(kind);
            break;
          case 'temporal':
            await temporal.crash();
            break;
          case 'traefik':
            await traefik.process.kill();
            traefik = await startTraefik(tools.traefik, layout);
            break;
          case 'postgres':
            pg.kill();
            await waitFor('PostgreSQL to be down', async () => {
              const sql = postgres(pg.url('postgres'), { max: 1, connect_timeout: 1, onnotice: () => {} });
              try {
                await sql`select 1`;
                return false;
              } catch {
                return true;
              } finally {
                await sql.end({ timeout: 1 }).catch(() => undefined);
              }
            }, 10_000, 100);
            pg.start();
            break;
          case 'docker':
            await dockerd.restart();
            break;
        }
      },
      output: (command) => outputs[command],
      crashes: () => crashes,
      diagnostics: () =>
        [
          ['berth api', outputs.api],
          ['berth worker', outputs.worker],
          [`Temporal (${engine})`, tail(temporal.logFile)],
          ['PostgreSQL', tail(pg.logFile)],
        ]
          .map(([name, text]) => `==== ${name}\n${text}`)
          .join('\n'),
      network: () => dockerd.network(),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
