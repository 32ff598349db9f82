// The API process part: Hono on Node's HTTP server, and the dispatcher that hands stored
// webhook deliveries to their intake workflows.
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.js';
import type { AppDeps } from '../../api/deps.js';
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

/** The API's dependencies, as the process and the tests build it. */
export function apiDeps(
  parts: { config: Config; database: Database; temporal: Client; log: Logger },
  options: { sweepEveryMs?: number } = {},
): AppDeps {
  const { config, database, temporal, log } = parts;
  const dispatches = config.github.dispatchConcurrency > 0;
  const dispatcher = createDeliveryDispatcher({
    db: database.db,
    temporal,
    log: log.child({ component: 'webhooks' }),
    concurrency: config.github.dispatchConcurrency,
    ...(options.sweepEveryMs ? { sweepEveryMs: options.sweepEveryMs } : {}),
  });
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
    secretBox: createSecretBox(loadSecretKey(config.secrets)),
    ...(dispatches ? { dispatcher } : {}),
  };
}

export async function startApiServer(parts: { config: Config; database: Database; temporal: Client; log: Logger }): Promise<ApiServer> {
  const { config, log } = parts;
  const deps = apiDeps(parts);
  const app = createApp(deps);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.api.host, port: config.api.port }, () => resolve(s));
    s.once('error', reject);
  });
  deps.dispatcher?.start();
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
      await deps.dispatcher?.stop();
    },
  };
}
