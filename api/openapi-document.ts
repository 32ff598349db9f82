// The API's OpenAPI document without a running Berth: the same createApp the server runs,
// asked for its document. Nothing behind it is reached (the document route reads no database
// and asks no workflow), so the dependencies that would answer requests are left unreachable
// and fail loudly if that ever changes.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type Docker from 'dockerode';
import type { Db } from '../db/client.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createSecretBox } from '../src/secrets/secret-box.js';
import { createApp } from './app.js';

function unreachable<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_, key) => {
      throw new Error(`rendering the OpenAPI document touched ${what}.${String(key)}`);
    },
  });
}

/** The document GET /api/v1/openapi.json serves, for a Berth on default settings. */
export async function renderOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = createApp({
    config: loadConfig({}),
    db: unreachable<Db>('the database'),
    temporal: unreachable<Client>('Temporal'),
    log: createLogger({ level: 'silent', format: 'json' }),
    probes: { database: async () => {}, temporal: async () => {}, docker: async () => {}, traefik: async () => {} },
    docker: unreachable<Docker>('Docker'),
    secretBox: createSecretBox(randomBytes(32)),
  });
  const res = await app.request('/api/v1/openapi.json');
  if (res.status !== 200) throw new Error(`the OpenAPI document answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}
