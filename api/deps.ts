// What the API is built from. createApp(deps) is the same for the server and the tests.
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client.js';
import type { Config } from '../src/config.js';
import type { Logger } from '../src/logger.js';

/** A dependency check for /healthz: resolves when the dependency answers. */
export type Probe = () => Promise<void>;

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  log: Logger;
  probes: { database: Probe; temporal: Probe; docker: Probe; traefik: Probe };
}

export type AppEnv = { Variables: { requestId: string; log: Logger } };
