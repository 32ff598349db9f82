// The commands that run Berth itself (as opposed to the client commands that talk to one):
//   dev      everything in one process on embedded defaults (Temporal dev server, Traefik, PGlite)
//   api      the HTTP API
//   worker   the Temporal workers (workflows and activities)
//   migrate  apply database migrations and register Temporal search attributes, then exit
//   static-server  the nginx that serves static sites (on the host whose worker unpacks them)
//   admin    accounts and API tokens, straight in the database (berth admin --help)
// Each command loads only its own modules (dynamic imports below): `berth api` never loads the
// Temporal worker (its native core, webpack, memfs, rxjs) nor `dev`'s embedded services, which
// cost the API process tens of megabytes of resident memory (docs/benchmarks.md, "Idle memory").
import { join } from 'node:path';
import { openDatabase } from '../../db/client.js';
import { loadConfigOrExit, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { createTemporalClient } from '../temporal/client.js';
import { ensureSearchAttributes } from '../temporal/search-attributes.js';
import { onShutdown } from './shutdown.js';
import type { ProcessCommand } from './process-command-names.js';
import { HOST_ID } from '../domain/hosts.js';

export async function runProcessCommand(command: ProcessCommand, argv: string[]): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.log).child({ process: command });
  if (command === 'admin') return runAdmin(config, argv);

  if (command === 'dev') {
    const { runDev } = await import('./dev.js');
    return runDev(config, log);
  }
  if (command === 'static-server') {
    const [{ startStaticServer }, { configuredStaticSiteToken }] = await Promise.all([import('../services/static-server.js'), import('../secrets/static-site-token.js')]);
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
    const { startWorkerProcess } = await import('./worker-process.js');
    const workers = await startWorkerProcess({ config: host ? { ...config, hostId: host } : config, database, log, hostOnly: host !== null });
    onShutdown(log, async () => {
      await workers.shutdown();
      await database.close();
    });
    return workers.running;
  }
  const [{ watchKeyRing }, { loadSecretKey }, { startApiServer }, { setupTokenLines }] = await Promise.all([
    import('./key-ring-watch.js'),
    import('../secrets/secret-box.js'),
    import('./api-server.js'),
    import('./setup-token.js'),
  ]);
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
  const [{ ADMIN_USAGE, runAdminCommand, UsageError }, { DnsCredentialsUsageError, runDnsCredentialsCommand }, { createSecretBox, loadSecretKey }, { readKeyRing }] = await Promise.all([
    import('./admin-commands.js'),
    import('./dns-credentials-command.js'),
    import('../secrets/secret-box.js'),
    import('./key-ring-watch.js'),
  ]);
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
