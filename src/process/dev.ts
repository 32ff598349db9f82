// `berth dev`: the whole platform in one process on embedded defaults: Temporal dev server
// (SQLite in the data directory), Traefik, PGlite, the workers and the API. Ctrl-C (or the end
// of the process that started it, `npm start` say) stops what it started, and only that; a
// second start reuses the same data.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../db/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createTemporalClient } from '../temporal/client.js';
import { watchKeyRing } from './key-ring-watch.js';
import { createSecretBox, ensureSecretKey } from '../secrets/secret-box.js';
import { openDnsCredentials } from '../../db/queries/acme-dns.js';
import { startApiServer } from './api-server.js';
import { setupTokenLines } from './setup-token.js';
import { claimEmbeddedServices, startEmbeddedServices, type EmbeddedServices } from './embedded-services.js';
import { onShutdown } from './shutdown.js';
import { startWorkerProcess } from './worker-process.js';

export async function runDev(config: Config, log: Logger): Promise<void> {
  mkdirSync(join(config.dataDir, 'logs'), { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  onShutdown(
    log,
    async () => {
      for (const stop of stops.reverse()) await stop().catch((err) => log.error({ err }, 'stop failed'));
    },
    { withParent: true },
  );

  // One process on one machine: the key that seals secrets is made once in the data directory.
  const master = ensureSecretKey(config.secrets);
  // The database opens first (Traefik's dns-01 resolver gets the provider's credentials from
  // it), but the services still stop last, after everything that uses them.
  let services: EmbeddedServices | null = null;
  stops.push(async () => services?.stop());
  if (config.embeddedServices) await claimEmbeddedServices(config, log);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  stops.push(() => database.close());
  const keys = await watchKeyRing(database.db, master, log.child({ component: 'secret-keys' }), config.secrets.previousKey);
  stops.push(async () => keys.stop());
  const dnsSecrets = config.acme.dnsProvider ? await openDnsCredentials(database.db, createSecretBox(keys.ring), config.acme.dnsProvider) : {};
  services = config.embeddedServices ? await startEmbeddedServices(config, log, dnsSecrets) : null;
  const workers = await startWorkerProcess({ config, database, log });
  stops.push(() => workers.shutdown());
  const temporal = await createTemporalClient(config.temporal, keys.ring);
  stops.push(() => temporal.connection.close());
  const api = await startApiServer({ config, database, temporal, log, ring: keys.ring });
  stops.push(() => api.close());

  const lines = [
    '',
    'Berth is running.',
    `  Web UI              ${api.url}/ui/`,
    `  API                 ${api.url}/api/v1`,
    `  API reference       ${api.url}/api/v1/reference`,
    `  Health              ${api.url}/healthz`,
    `  Temporal Web UI     ${config.temporal.uiUrl}`,
    `  Traefik entrypoint  ${config.traefik.entryUrl}  (apps at http://<app>.<env>.${config.appsDomain}:${config.traefik.port})`,
    `  HTTPS entrypoint    ${config.traefik.httpsEntryUrl}  (certificates from ${config.acme.directoryUrl})`,
    `  Static sites        ${config.static.url}  (nginx; served through Traefik like every app)`,
    `  Data                ${config.dataDir}`,
    ...(api.webhookUrl ? [`  Webhooks only       ${api.webhookUrl}/webhooks/github`] : []),
    ...(api.setupToken ? ['', ...setupTokenLines(api.setupToken, api.url)] : []),
    'Ctrl-C stops it.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  await workers.running;
}
