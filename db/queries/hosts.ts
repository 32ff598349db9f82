// The hosts Berth deploys to: registered by an operator, kept alive by their workers' heartbeats.
import { asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { environments } from '../schema/environments.js';
import type { HostDrain } from '../../src/domain/host-drain.js';
import type { HostSwarm } from '../../src/domain/host-swarm.js';
import { hosts, type HostCapacity } from '../schema/hosts.js';

export type HostRow = typeof hosts.$inferSelect;

/** Heartbeats a host's worker may miss before the host counts as down. */
export const MISSED_HEARTBEATS = 3;

/** Alive: its worker's last heartbeat is younger than three of its intervals. */
export function hostAlive(row: HostRow, now: number = Date.now()): boolean {
  if (!row.lastSeenAt || !row.heartbeatSeconds) return false;
  return now - row.lastSeenAt.getTime() <= MISSED_HEARTBEATS * row.heartbeatSeconds * 1000;
}

export async function listHosts(db: Db): Promise<HostRow[]> {
  return db.select().from(hosts).orderBy(asc(hosts.id));
}

export async function getHost(db: Db, id: string): Promise<HostRow | null> {
  const [row] = await db.select().from(hosts).where(eq(hosts.id, id));
  return row ?? null;
}

/** A new host; null when the id is taken. */
export async function createHost(db: Db, input: { id: string; address: string; labels: Record<string, string>; capacity: HostCapacity }): Promise<HostRow | null> {
  const [row] = await db.insert(hosts).values(input).onConflictDoNothing().returning();
  return row ?? null;
}

export async function updateHost(
  db: Db,
  id: string,
  change: Partial<{ address: string; labels: Record<string, string>; capacity: HostCapacity; draining: boolean; drain: HostDrain }>,
): Promise<HostRow | null> {
  const [row] = await db.update(hosts).set({ ...change, updatedAt: sql`now()` }).where(eq(hosts.id, id)).returning();
  return row ?? null;
}

/** How many environments are placed on the host. */
/** Environments placed on the host; on the installation's own (`ownHostId`) also those placed nowhere in particular. */
export async function placedOn(db: Db, id: string, ownHostId?: string): Promise<number> {
  const where = id === ownHostId ? or(eq(environments.hostId, id), isNull(environments.hostId)) : eq(environments.hostId, id);
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(environments).where(where);
  return Number(row?.n ?? 0);
}

export async function deleteHost(db: Db, id: string): Promise<boolean> {
  return (await db.delete(hosts).where(eq(hosts.id, id)).returning({ id: hosts.id })).length > 0;
}

/** The hosts' Swarm nodes as the manager sees them: written only where it changed (not every beat's timestamp). */
export async function recordHostSwarms(db: Db, nodes: ReadonlyMap<string, HostSwarm>): Promise<void> {
  for (const row of await listHosts(db)) {
    const now = nodes.get(row.id) ?? null;
    const same = (a: HostSwarm | null, b: HostSwarm | null) => (a === null || b === null ? a === b : a.nodeId === b.nodeId && a.state === b.state && a.availability === b.availability && a.role === b.role);
    if (!same(row.swarm ?? null, now)) await db.update(hosts).set({ swarm: now }).where(eq(hosts.id, row.id));
  }
}

export async function recordHostSwarm(db: Db, hostId: string, swarm: HostSwarm | null): Promise<void> {
  await db.update(hosts).set({ swarm }).where(eq(hosts.id, hostId));
}

/**
 * A worker's heartbeat: the host is alive now. Its first one registers the host at the address
 * the worker was given; later ones leave an operator's address, labels and capacity alone.
 */
export async function recordHeartbeat(db: Db, beat: { id: string; address: string; seenBy: string; heartbeatSeconds: number }): Promise<void> {
  const seen = { lastSeenAt: sql`now()`, seenBy: beat.seenBy, heartbeatSeconds: beat.heartbeatSeconds };
  await db
    .insert(hosts)
    .values({ id: beat.id, address: beat.address, ...seen })
    .onConflictDoUpdate({ target: hosts.id, set: seen });
}
