// The hosts a spread environment may run on, as src/domain/spread.ts weighs them: every
// registered host (alive by its worker's heartbeats, labels, declared container capacity, the
// environments placed on it) and the installation's own host, which is always there and alive
// (its worker is the installation's), registered or not.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { environments } from '../schema/environments.js';
import { planSpread, type SpreadCandidate, type SpreadPlan } from '../../src/domain/spread.js';
import { effectiveSettings } from './environment-settings.js';
import { hostAlive, listHosts } from './hosts.js';

export async function spreadCandidates(db: Db, ownHostId: string): Promise<SpreadCandidate[]> {
  const [rows, counts] = await Promise.all([
    listHosts(db),
    db
      .select({ hostId: sql<string>`coalesce(${environments.hostId}, ${ownHostId})`, n: sql<number>`count(*)::int` })
      .from(environments)
      .groupBy(sql`1`),
  ]);
  const placed = new Map(counts.map((c) => [c.hostId, Number(c.n)]));
  const candidates: SpreadCandidate[] = rows.map((h) => ({
    id: h.id,
    labels: h.labels,
    capacity: h.capacity.containers,
    placed: placed.get(h.id) ?? 0,
    draining: h.draining,
    alive: h.id === ownHostId || hostAlive(h),
  }));
  if (!rows.some((h) => h.id === ownHostId)) candidates.push({ id: ownHostId, labels: {}, placed: placed.get(ownHostId) ?? 0, draining: false, alive: true });
  return candidates;
}

/** The plan for the environment's next deploy; null when it is not spread. */
export async function spreadPlanFor(db: Db, environmentId: string, ownHostId: string): Promise<SpreadPlan | null> {
  const [env] = await db.select({ spread: environments.spread }).from(environments).where(eq(environments.id, environmentId));
  if (!env?.spread) return null;
  const [candidates, { settings }] = await Promise.all([spreadCandidates(db, ownHostId), effectiveSettings(db, environmentId)]);
  return planSpread(env.spread, candidates, settings.replicas);
}
