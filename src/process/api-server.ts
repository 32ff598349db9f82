// The API process part: Hono on Node's HTTP server, and the dispatcher that hands stored
// webhook deliveries to their intake workflows.
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.js';
import { createDeliveryDispatcher } from '../../api/webhooks/dispatcher.js';
import type { Database } from '../../db/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { pingDocker, pingTraefik } from '../probes.js';
import { createSecretBox, loadSecretKey } from '../secrets/secret-box.js';

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export async function startApiServer(parts: { config: Config; database: Database; temporal: Client; log: Logger }): Promise<ApiServer> {
  const { config, database, temporal, log } = parts;
  const dispatches = config.github.dispatchConcurrency > 0;
  const dispatcher = createDeliveryDispatcher({
    db: database.db,
    temporal,
    log: log.child({ component: 'webhooks' }),
    concurrency: config.github.dispatchConcurrency,
  });
  const app = createApp({
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
    secretBox: createSecretBox(loadSecretKey(config.secrets)),
    ...(dispatches ? { dispatcher } : {}),
  });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.api.host, port: config.api.port }, () => resolve(s));
    s.once('error', reject);
  });
  if (dispatches) dispatcher.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  const url = `http://${config.api.host}:${port}`;
  log.info({ url }, 'api listening');
  return {
    url,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open event streams would hold close() forever.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await dispatcher.stop();
    },
  };
}
