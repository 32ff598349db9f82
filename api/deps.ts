// What the API is built from. createApp(deps) is the same for the server and the tests.
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client.js';
import type { Config } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import type { SecretBox } from '../src/secrets/secret-box.js';
import type { DeliveryDispatcher } from './webhooks/dispatcher.js';

/** A dependency check for /healthz: resolves when the dependency answers. */
export type Probe = () => Promise<void>;

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  log: Logger;
  probes: { database: Probe; temporal: Probe; docker: Probe; traefik: Probe };
  /** Seals and opens stored secrets (GitHub App keys, build secrets). */
  secretBox: SecretBox;
  /** Starts intake workflows for stored webhook deliveries; without one they wait for a sweep. */
  dispatcher?: DeliveryDispatcher;
}

export type AppEnv = { Variables: { requestId: string; log: Logger } };
