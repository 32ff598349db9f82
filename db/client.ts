// Opens the system-of-record database: a PostgreSQL server when a URL is given, otherwise
// PGlite (PostgreSQL compiled to WASM, in-process) in the data directory, so a single machine
// needs no database server. Migrations run on open.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger } from '../src/logger.js';
import { openPgliteClient } from './pglite.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** Both drivers' databases share this type; code below db/ never knows which one it has. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** A cheap round trip, for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

export async function openDatabase(options: { databaseUrl?: string | undefined; dataDir: string; log?: Logger; onQuery?: (sql: string) => void }): Promise<Database> {
  const database = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.onQuery)
    : await openPglite(join(options.dataDir, 'pglite'));
  options.log?.info({ kind: database.kind }, 'database opened');
  return database;
}

/** `onQuery`: sees every statement sent (a benchmark counts them per deploy). */
async function openPostgres(url: string, onQuery?: (sql: string) => void): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  // Many activities write at once (fifty environments deploying together): a pool wide enough
  // that they do not queue behind each other.
  // A statement asked for while the server is away waits for a connection; the driver's own
  // reconnect delay grows to 20 s (3^n/100 s, counted across the pool), so a statement could sit
  // there well after the server was back — past its local activity's timeout, its late write
  // landing after the retry's. Tried again at most a second apart, a statement waits about a
  // second at most before it is sent, or refused (and its step retried by its policy).
  const sql = postgres(url, { max: 20, onnotice: () => {}, connect_timeout: 10, backoff: reconnectDelaySeconds, ...(onQuery ? { debug: (_connection: number, query: string) => onQuery(query) } : {}) });
  const db = drizzle(sql, { schema });
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return {
    db: db as unknown as Db,
    kind: 'postgres',
    ping: async () => {
      await sql`select 1`;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/** Seconds before a pool connection tries the server again, after `attempt` failed tries in a row. */
export function reconnectDelaySeconds(attempt: number): number {
  return Math.min(0.05 * 2 ** attempt, 1);
}

async function openPglite(dir: string): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const client = await openPgliteClient(dir);
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}
