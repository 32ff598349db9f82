// The commands that run Berth itself (as opposed to the client commands that talk to one):
//   dev      everything in one process on embedded defaults (Temporal dev server, Traefik, PGlite)
//   api      the HTTP API
//   worker   the Temporal workers (workflows and activities)
//   migrate  apply database migrations and register Temporal search attributes, then exit
//   static-server  the nginx that serves static sites (on the host whose worker unpacks them)
//   admin    accounts and API tokens, straight in the database (berth admin --help)
import { DnsCredentialsUsageError, runDnsCredentialsCommand } from './dns-credentials-command.js';
import { createSecretBox, loadSecretKey } from '../secrets/secret-box.js';
import { configuredStaticSiteToken } from '../secrets/static-site-token.js';
import { join } from 'node:path';
import { openDatabase } from '../../db/client.js';
import { loadConfigOrExit, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { startStaticServer } from '../services/static-server.js';
import { createTemporalClient } from '../temporal/client.js';
import { readKeyRing, watchKeyRing } from './key-ring-watch.js';
import { ensureSearchAttributes } from '../temporal/search-attributes.js';
import { ADMIN_USAGE, runAdminCommand, UsageError } from './admin-commands.js';
import { startApiServer } from './api-server.js';
import { runDev } from './dev.js';
import { setupTokenLines } from './setup-token.js';
import { onShutdown } from './shutdown.js';
import type { ProcessCommand } from './process-command-names.js';
import { startWorkerProcess } from './worker-process.js';
import { HOST_ID } from '../domain/hosts.js';

export async function runProcessCommand(command: ProcessCommand, argv: string[]): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.log).child({ process: command });
  if (command === 'admin') return runAdmin(config, argv);

  if (command === 'dev') return runDev(config, log);
  if (command === 'static-server') {
    const server = await startStaticServer(config.static.nginxBinary, {
      dir: join(config.dataDir, 'static-server'),
      staticDir: config.static.dir,
      port: config.static.port,
      token: configuredStaticSiteToken(config.secrets),
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
    const host = workerHost(argv);
    const temporal = await createTemporalClient(config.temporal);
    await ensureSearchAttributes(temporal, config.temporal.namespace);
    await temporal.connection.close();
    const workers = await startWorkerProcess({ config: host ? { ...config, hostId: host } : config, database, log, hostOnly: host !== null });
    onShutdown(log, async () => {
      await workers.shutdown();
      await database.close();
    });
    return workers.running;
  }
  const keys = await watchKeyRing(database.db, loadSecretKey(config.secrets), log.child({ component: 'secret-keys' }), config.secrets.previousKey);
  const temporal = await createTemporalClient(config.temporal, keys.ring);
  const api = await startApiServer({ config, database, temporal, log, ring: keys.ring });
  if (api.setupToken) process.stderr.write(`${setupTokenLines(api.setupToken, api.url).join('\n')}\n`);
  onShutdown(log, async () => {
    await api.close();
    keys.stop();
    await temporal.connection.close();
    await database.close();
  });
}

async function runAdmin(config: Config, argv: string[]): Promise<void> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${ADMIN_USAGE}\n`);
    return;
  }
  // Data to stdout (a token a script captures), nothing else: the database opens without logging.
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const [command, ...rest] = argv;
    const output =
      command === 'set-dns-credentials'
        ? await runDnsCredentialsCommand(database.db, createSecretBox(await readKeyRing(database.db, loadSecretKey(config.secrets), config.secrets.previousKey)), rest, process.stdin)
        : await runAdminCommand(database.db, argv);
    process.stdout.write(`${output}\n`);
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof DnsCredentialsUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) throw err;
    process.stderr.write(`berth admin: ${(err as Error).message}\n${ADMIN_USAGE}\n`);
    process.exitCode = 64;
  } finally {
    await database.close();
  }
}

/** `berth worker --host ID`: a host's own worker; exits 64 on a malformed id (the rules of BERTH_HOST_ID). */
function workerHost(argv: string[]): string | null {
  const at = argv.indexOf('--host');
  if (at === -1) return null;
  const id = argv[at + 1] ?? '';
  if (!HOST_ID.test(id)) {
    process.stderr.write(`berth worker --host: expected a short lowercase host id (a-z, 0-9, -), got ${JSON.stringify(id)}\n`);
    process.exit(64);
  }
  return id;
}
