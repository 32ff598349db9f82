// The API process part: Hono on Node's HTTP server (and, when BERTH_WEBHOOK_LISTEN is set, a
// second listener that serves only the git-host webhooks and GitHub's redirects), the
// dispatcher that hands stored webhook deliveries to their intake workflows, and the setup
// token of an installation that has no account yet.
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { Hono } from 'hono';
import { createApp, createWebhookApp, createWebhookIntake } from '../../api/app.js';
import type { AppDeps, AppEnv } from '../../api/deps.js';
import { createDeliveryDispatcher } from '../../api/webhooks/dispatcher.js';
import type { Database } from '../../db/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { pingDocker, pingTraefik } from '../probes.js';
import { KeyRing } from '../secrets/key-ring.js';
import { createSecretBox, loadSecretKey } from '../secrets/secret-box.js';
import { loadKeyRing } from '../../db/queries/secret-keys.js';
import { uiBundle } from '../../api/ui/ui-bundle.js';
import { issueSetupToken } from './setup-token.js';
import { createDockerClient } from './docker-client.js';

export interface ApiServer {
  url: string;
  /** The webhook-only listener's URL, when one is configured. */
  webhookUrl: string | null;
  /** Printed by the entrypoint while no account exists. */
  setupToken: string | null;
  close(): Promise<void>;
}

/**
 * A ring that learns the database's keys when it first meets an unknown one; the processes
 * pass a watched one (src/process/key-ring-watch.ts).
 */
function unwatchedRing(database: Database, config: Config): KeyRing {
  const ring = new KeyRing(loadSecretKey(config.secrets), config.secrets.previousKey ?? null);
  ring.reload = () => loadKeyRing(database.db, ring);
  void ring.reload().catch(() => {});
  return ring;
}

/** The API's dependencies, as the process and the tests build it. */
export function apiDeps(
  parts: { config: Config; database: Database; temporal: Client; log: Logger; ring?: KeyRing },
  options: { sweepEveryMs?: number } = {},
): AppDeps {
  const { config, database, temporal, log } = parts;
  const ring = parts.ring ?? unwatchedRing(database, config);
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
    docker: createDockerClient(config.docker),
    secretBox: createSecretBox(ring),
    ...(dispatches ? { dispatcher } : {}),
  };
}

async function listen(app: Hono<AppEnv>, host: string, port: number): Promise<{ server: ServerType; url: string }> {
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

async function closeServer(server: ServerType): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Open event streams would hold close() forever.
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

export async function startApiServer(parts: { config: Config; database: Database; temporal: Client; log: Logger; ring?: KeyRing }): Promise<ApiServer> {
  const { config, log } = parts;
  const deps = apiDeps(parts);
  const intake = createWebhookIntake(deps);
  // The web UI's bundle is built before the first page is asked for, not while someone waits.
  const warm = uiBundle().catch((err: unknown) => log.error({ err }, 'the web UI could not be bundled'));
  const api = await listen(createApp(deps, intake), config.api.host, config.api.port);
  const hooks = config.access.webhookListen ? await listen(createWebhookApp(deps, intake), config.access.webhookListen.host, config.access.webhookListen.port) : null;
  deps.dispatcher?.start();
  log.info({ url: api.url, webhookUrl: hooks?.url ?? null }, 'api listening');
  const setupToken = await issueSetupToken(deps.db, config.dataDir);
  if (setupToken) log.warn({ file: 'setup-token in the data directory' }, 'no account exists yet: make the first administrator with the setup token');
  await warm;
  return {
    url: api.url,
    webhookUrl: hooks?.url ?? null,
    setupToken,
    close: async () => {
      await closeServer(api.server);
      if (hooks) await closeServer(hooks.server);
      await deps.dispatcher?.stop();
    },
  };
}
