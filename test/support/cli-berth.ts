// A test Berth for the CLI's tests: its API served over HTTP on a port of its own (the CLI is a
// separate process), a home directory for the CLI's config, and the environment that points
// the CLI at it with the administrator's token. restartApi() stops and starts the API server
// on the same port, as an API restart would.
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startApiServer, type ApiServer } from '../../src/process/api-server.js';
import { startBerth, type BerthOptions, type TestBerth } from './berth.js';
import { cliHome, stopAllCli } from './berth-cli.js';
import { freePort } from './free-port.js';

export interface CliBerth {
  berth: TestBerth;
  server(): ApiServer;
  home: ReturnType<typeof cliHome>;
  /** HOME, BERTH_URL and BERTH_TOKEN for the CLI. */
  env: Record<string, string>;
  stopApi(): Promise<void>;
  startApi(): Promise<void>;
  close(): Promise<void>;
}

export async function startCliBerth(options: BerthOptions = {}): Promise<CliBerth> {
  const berth = await startBerth(options);
  const config = loadConfig({ ...berth.env, BERTH_API_PORT: String(await freePort()) });
  const start = () => startApiServer({ config, database: berth.database, temporal: berth.temporal, log: createLogger({ level: 'silent', format: 'json' }) });
  let server = await start();
  const home = cliHome();
  return {
    berth,
    server: () => server,
    home,
    env: { ...home.env, BERTH_URL: server.url, BERTH_TOKEN: berth.token },
    stopApi: () => server.close(),
    async startApi() {
      server = await start();
    },
    async close() {
      stopAllCli();
      await server.close();
      await berth.close();
      home.remove();
    },
  };
}
