import { boolean, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { HostDrain } from '../../src/domain/host-drain.js';
import type { HostSwarm } from '../../src/domain/host-swarm.js';

/** What a host may take (unset: no limit is declared). */
export interface HostCapacity {
  containers?: number;
  memoryMb?: number;
  cpus?: number;
}

/**
 * The machines whose Docker engines Berth deploys to. Each runs a `berth worker` that polls the
 * host's own task queue (berth.host.<id>) and records that it is alive here every
 * `heartbeat_seconds`; an operator registers a host ahead of its worker, or its worker's first
 * heartbeat registers it. `address` is where Traefik and the health probes reach the containers
 * it publishes (a private address, never a public interface). A draining host takes no new
 * placement.
 */
export const hosts = pgTable('hosts', {
  id: text('id').primaryKey(),
  address: text('address').notNull(),
  labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
  capacity: jsonb('capacity').$type<HostCapacity>().notNull().default({}),
  draining: boolean('draining').notNull().default(false),
  /** The last drain by deploys: its target and progress (workflows/drain-host.ts). */
  drain: jsonb('drain').$type<HostDrain>(),
  /** Its engine's node in the installation's Swarm, as the manager last saw it (null: not in it). */
  swarm: jsonb('swarm').$type<HostSwarm>(),
  /** The last heartbeat of the host's worker, its identity (host name and pid) and interval. */
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }),
  seenBy: text('seen_by'),
  heartbeatSeconds: integer('heartbeat_seconds'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
