#!/usr/bin/env node
// berth <command>: the process entrypoints.
//   dev      everything in one process on embedded defaults (Temporal dev server, Traefik, PGlite)
//   api      the HTTP API
//   worker   the Temporal workers (workflows and activities)
//   migrate  apply database migrations and register Temporal search attributes, then exit
//   static-server  the nginx that serves static sites (on the host whose worker unpacks them)
import { join } from 'node:path';
import { openDatabase } from '../db/client.js';
import { loadConfigOrExit } from './config.js';
import { createLogger } from './logger.js';
import { startApiServer } from './process/api-server.js';
import { runDev } from './process/dev.js';
import { onShutdown } from './process/shutdown.js';
import { startWorkerProcess } from './process/worker-process.js';
import { startStaticServer } from './services/static-server.js';
import { createTemporalClient } from './temporal/client.js';
import { ensureSearchAttributes } from './temporal/search-attributes.js';

const USAGE = 'usage: berth <dev|api|worker|migrate|static-server>';

async function main(command: string | undefined): Promise<void> {
  if (!command || !['dev', 'api', 'worker', 'migrate', 'static-server'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(64);
  }
  const config = loadConfigOrExit();
  const log = createLogger(config.log).child({ process: command });

  if (command === 'dev') return runDev(config, log);
  if (command === 'static-server') {
    const server = await startStaticServer(config.static.nginxBinary, {
      dir: join(config.dataDir, 'static-server'),
      staticDir: config.static.dir,
      port: config.static.port,
    });
    log.info({ url: server.url }, 'static server listening');
    onShutdown(log, () => server.stop());
    await server.process.exited;
    return;
  }

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  if (command === 'migrate') {
    const temporal = await createTemporalClient(config.temporal);
    const added = await ensureSearchAttributes(temporal, config.temporal.namespace);
    log.info({ added }, 'migrated');
    await temporal.connection.close();
    await database.close();
    return;
  }
  if (command === 'worker') {
    const temporal = await createTemporalClient(config.temporal);
    await ensureSearchAttributes(temporal, config.temporal.namespace);
    await temporal.connection.close();
    const workers = await startWorkerProcess({ config, database, log });
    onShutdown(log, async () => {
      await workers.shutdown();
      await database.close();
    });
    return workers.running;
  }
  const temporal = await createTemporalClient(config.temporal);
  const api = await startApiServer({ config, database, temporal, log });
  onShutdown(log, async () => {
    await api.close();
    await temporal.connection.close();
    await database.close();
  });
}

main(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
