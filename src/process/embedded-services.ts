// `berth dev` runs its own Temporal dev server and Traefik from the pinned, cached builds.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPORAL_CLI_VERSION, TRAEFIK_VERSION, type Config } from '../config.js';
import { startStaticServer, type StaticServer } from '../services/static-server.js';
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

export interface EmbeddedServices {
  temporal: TemporalDevServer;
  traefik: TraefikProcess;
  staticServer: StaticServer;
  stop(): Promise<void>;
}

export async function startEmbeddedServices(config: Config): Promise<EmbeddedServices> {
  const tools = toolPaths(config.toolsDir);
  for (const [name, path] of Object.entries({ temporal: tools.temporal, traefik: tools.traefik })) {
    if (!existsSync(path)) throw new Error(`${name} is not installed at ${path}: run scripts/setup.sh`);
  }
  const [host, port] = [config.temporal.address.replace(/:\d+$/, ''), Number(config.temporal.address.split(':').pop())];
  const temporal = await startTemporalDevServer({
    binary: tools.temporal,
    ip: host,
    port,
    uiPort: config.temporal.uiPort,
    dbFile: join(config.dataDir, 'temporal', 'temporal.db'),
    logFile: join(config.dataDir, 'logs', 'temporal.log'),
  });
  let traefik: TraefikProcess;
  try {
    traefik = await startTraefik(tools.traefik, {
      dir: join(config.dataDir, 'traefik'),
      routesDir: config.traefik.routesDir,
      entryPort: config.traefik.port,
      apiPort: config.traefik.apiPort,
      defaultCertificate: { certFile: tools.certFile, keyFile: tools.keyFile },
    });
  } catch (err) {
    await temporal.stop();
    throw err;
  }
  let staticServer: StaticServer;
  try {
    staticServer = await startStaticServer(config.static.nginxBinary, {
      dir: join(config.dataDir, 'static-server'),
      staticDir: config.static.dir,
      port: config.static.port,
    });
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
