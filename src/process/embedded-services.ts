// `berth dev` runs its own Temporal dev server, Traefik and nginx from the pinned, cached builds.
// Each runs under a watchdog that ends it when this process ends, however it ends
// (src/services/watchdog.ts), and records its process group under <data>/run: a start that finds
// programs a killed run left there stops them and starts its own (src/services/leftover-process.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPORAL_CLI_VERSION, TRAEFIK_VERSION, type Config } from '../config.js';
import type { Logger } from '../logger.js';
import { replaceLeftover } from '../services/leftover-process.js';
import { ensurePortFree } from '../services/port-free.js';
import { startStaticServer, type StaticServer } from '../services/static-server.js';
import { configuredStaticSiteToken } from '../secrets/static-site-token.js';
import { startTemporalDevServer, type TemporalDevServer } from '../services/temporal-dev-server.js';
import { startTraefik, type TraefikProcess } from '../services/traefik.js';

export function toolPaths(toolsDir: string) {
  return {
    temporal: join(toolsDir, `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal'),
    traefik: join(toolsDir, `traefik-${TRAEFIK_VERSION}`, 'traefik'),
    certFile: join(toolsDir, 'tls', 'default.crt'),
    keyFile: join(toolsDir, 'tls', 'default.key'),
  };
}

/** Where each embedded program's process group is recorded while it runs. */
export function pidFiles(dataDir: string) {
  const dir = join(dataDir, 'run');
  return { temporal: join(dir, 'temporal.pid'), traefik: join(dir, 'traefik.pid'), nginx: join(dir, 'nginx.pid') };
}

export interface EmbeddedServices {
  temporal: TemporalDevServer;
  traefik: TraefikProcess;
  staticServer: StaticServer;
  stop(): Promise<void>;
}

/**
 * What must hold before anything of the data directory is touched: the tools are installed,
 * programs a killed run left are replaced (a run that still lives makes this refuse), and the
 * ports are free. startEmbeddedServices checks it again; calling it first keeps a second
 * `berth dev` from opening a database another one holds.
 */
export async function claimEmbeddedServices(config: Config, log: Logger): Promise<void> {
  const tools = toolPaths(config.toolsDir);
  for (const [name, path] of Object.entries({ temporal: tools.temporal, traefik: tools.traefik })) {
    if (!existsSync(path)) throw new Error(`${name} is not installed at ${path}: run scripts/setup.sh`);
  }
  const [host, port] = [config.temporal.address.replace(/:\d+$/, ''), Number(config.temporal.address.split(':').pop())];
  const pids = pidFiles(config.dataDir);
  for (const file of Object.values(pids)) await replaceLeftover(file, log);
  // Traefik and nginx listen on loopback (the configurations Berth writes say so).
  const ports: [string, number, string][] = [
    [host, port, 'Temporal'],
    [host, config.temporal.uiPort, 'Temporal Web UI'],
    ['127.0.0.1', config.traefik.port, 'Traefik entrypoint'],
    ['127.0.0.1', config.traefik.apiPort, 'Traefik API'],
    ['127.0.0.1', config.traefik.httpsPort, 'Traefik HTTPS entrypoint'],
    ['127.0.0.1', config.static.port, 'static sites (nginx)'],
  ];
  for (const [on, p, what] of ports) await ensurePortFree(on, p, what);
}

/** `traefikSecrets`: the DNS provider's credentials, opened, for Traefik's environment only. */
export async function startEmbeddedServices(config: Config, log: Logger, traefikSecrets: Record<string, string> = {}): Promise<EmbeddedServices> {
  await claimEmbeddedServices(config, log);
  const tools = toolPaths(config.toolsDir);
  const [host, port] = [config.temporal.address.replace(/:\d+$/, ''), Number(config.temporal.address.split(':').pop())];
  const pids = pidFiles(config.dataDir);

  const temporal = await startTemporalDevServer({
    binary: tools.temporal,
    ip: host,
    port,
    uiPort: config.temporal.uiPort,
    dbFile: join(config.dataDir, 'temporal', 'temporal.db'),
    logFile: join(config.dataDir, 'logs', 'temporal.log'),
    pidFile: pids.temporal,
  });
  let traefik: TraefikProcess;
  try {
    traefik = await startTraefik(
      tools.traefik,
      {
        dir: join(config.dataDir, 'traefik'),
        routesDir: config.traefik.routesDir,
        entryPort: config.traefik.port,
        apiPort: config.traefik.apiPort,
        defaultCertificate: { certFile: tools.certFile, keyFile: tools.keyFile },
        httpsPort: config.traefik.httpsPort,
        acme: config.acme,
      },
      { pidFile: pids.traefik, secrets: traefikSecrets },
    );
  } catch (err) {
    await temporal.stop();
    throw err;
  }
  let staticServer: StaticServer;
  try {
    staticServer = await startStaticServer(
      config.static.nginxBinary,
      { dir: join(config.dataDir, 'static-server'), staticDir: config.static.dir, port: config.static.port, token: configuredStaticSiteToken(config.secrets) },
      { pidFile: pids.nginx },
    );
  } catch (err) {
    await traefik.stop();
    await temporal.stop();
    throw err;
  }
  return {
    temporal,
    traefik,
    staticServer,
    async stop() {
      await staticServer.stop();
      await traefik.stop();
      await temporal.stop();
    },
  };
}
