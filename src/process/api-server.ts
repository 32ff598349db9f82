// The API process part: Hono on Node's HTTP server.
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.js';
import type { AppDeps } from '../../api/deps.js';
import type { Database } from '../../db/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { pingDocker, pingTraefik } from '../probes.js';

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/** The API's dependencies, as the process and the tests build it. */
export function apiDeps(parts: { config: Config; database: Database; temporal: Client; log: Logger }): AppDeps {
  const { config, database, temporal, log } = parts;
  return {
    config,
    db: database.db,
    temporal,
    log,
    probes: {
      database: () => database.ping(),
      temporal: async () => {
        await temporal.workflowService.getSystemInfo({});
      },
      docker: () => pingDocker(config.docker.socketPath),
      traefik: () => pingTraefik(config.traefik.apiUrl),
    },
  };
}

export async function startApiServer(parts: { config: Config; database: Database; temporal: Client; log: Logger }): Promise<ApiServer> {
  const { config, log } = parts;
  const app = createApp(apiDeps(parts));
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.api.host, port: config.api.port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  const url = `http://${config.api.host}:${port}`;
  log.info({ url }, 'api listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open event streams would hold close() forever.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
