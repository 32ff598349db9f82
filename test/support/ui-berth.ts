// A Berth for the web UI's tests: the API served over HTTP on a port of its own (a browser needs
// a real server), workers, and optionally no account at all yet, so the browser makes the
// first administrator with the setup token as a newcomer would.
import { users } from '../../db/schema/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startApiServer, type ApiServer } from '../../src/process/api-server.js';
import { startBerth, type BerthOptions, type TestBerth } from './berth.js';
import { freePort } from './free-port.js';

export interface UiBerth {
  berth: TestBerth;
  server: ApiServer;
  url: string;
  close(): Promise<void>;
}

export async function startUiBerth(options: BerthOptions & { fresh?: boolean } = {}): Promise<UiBerth> {
  const berth = await startBerth(options);
  // No account: the API server then issues a setup token, as on a new installation.
  if (options.fresh) await berth.database.db.delete(users);
  const config = loadConfig({ ...berth.env, BERTH_API_PORT: String(await freePort()) });
  const server = await startApiServer({ config, database: berth.database, temporal: berth.temporal, log: createLogger({ level: 'silent', format: 'json' }) });
  return {
    berth,
    server,
    url: server.url,
    async close() {
      await server.close();
      await berth.close();
    },
  };
}
