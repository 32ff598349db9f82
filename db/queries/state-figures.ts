// Berth's state as the figures /metrics reports: one grouped query per family, run together.
// Each reads a whole table, which is why api/metrics caches the result (state-figures.ts).
import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';

/** Upper bounds (seconds) of the phase duration histogram: a pull or build takes minutes, a route switch milliseconds. */
export const PHASE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900] as const;

export interface StateFigures {
  byStatus: { status: string; n: number }[];
  finished: { kind: string; outcome: string; n: number }[];
  phases: { phase: string; outcome: string; buckets: number[]; sum: number; count: number }[];
  stuck: number;
  reconcile: { drift: string; action: string; outcome: string; n: number }[];
  queued: { app: string; environment: string; n: number }[];
  /** Every environment: its names, its Traefik router/service name's id, when it was last deployed (Unix seconds, null: never). */
  environments: { app: string; environment: string; environmentId: string; deployedAt: number | null }[];
}

type Row = Record<string, unknown>;
const rows = async (db: Db, query: ReturnType<typeof sql>): Promise<Row[]> => {
  const result = (await db.execute(query)) as unknown as { rows?: Row[] } | Row[];
  return Array.isArray(result) ? result : (result.rows ?? []);
};

export async function readStateFigures(db: Db): Promise<StateFigures> {
  const bucketColumns = sql.join(
    PHASE_BUCKETS.map((b, i) => sql`count(*) filter (where d <= ${sql.raw(String(b))}) as ${sql.raw(`b${i}`)}`),
    sql`, `,
  );
  const [byStatus, finished, phases, stuck, reconcile, queued, envs] = await Promise.all([
    rows(db, sql`select status, count(*)::int as n from deployments group by status`),
    rows(db, sql`select kind, status as outcome, count(*)::int as n from deployments where finished_at is not null group by kind, status`),
    rows(
      db,
      sql`select phase, outcome, ${bucketColumns}, coalesce(sum(d), 0)::float8 as sum, count(*)::int as count
          from (select phase, outcome, extract(epoch from ended_at - started_at)::float8 as d from deployment_phases where ended_at is not null) p
          group by phase, outcome`,
    ),
    rows(
      db,
      sql`select count(distinct r.detail->>'deploymentId')::int as n from reconcile_events r
          join deployments d on d.id = r.detail->>'deploymentId'
          where r.drift = 'deployment-stuck' and d.status in ('queued', 'running')`,
    ),
    rows(db, sql`select drift, action, outcome, count(*)::int as n from reconcile_events group by drift, action, outcome`),
    rows(
      db,
      sql`select a.name as app, e.name as environment, count(*)::int as n from deployments d
          join environments e on e.id = d.environment_id join apps a on a.id = d.app_id
          where d.status = 'queued' group by a.name, e.name`,
    ),
    rows(
      db,
      sql`select a.name as app, e.name as environment, e.id as id,
            (select extract(epoch from max(d.finished_at))::float8 from deployments d where d.environment_id = e.id and d.status = 'succeeded') as deployed
          from environments e join apps a on a.id = e.app_id`,
    ),
  ]);
  const num = (v: unknown) => Number(v ?? 0);
  return {
    byStatus: byStatus.map((r) => ({ status: String(r.status), n: num(r.n) })),
    finished: finished.map((r) => ({ kind: String(r.kind), outcome: String(r.outcome), n: num(r.n) })),
    phases: phases.map((r) => ({
      phase: String(r.phase),
      outcome: String(r.outcome),
      buckets: PHASE_BUCKETS.map((_, i) => num(r[`b${i}`])),
      sum: num(r.sum),
      count: num(r.count),
    })),
    stuck: num(stuck[0]?.n),
    reconcile: reconcile.map((r) => ({ drift: String(r.drift), action: String(r.action), outcome: String(r.outcome), n: num(r.n) })),
    queued: queued.map((r) => ({ app: String(r.app), environment: String(r.environment), n: num(r.n) })),
    environments: envs.map((r) => ({ app: String(r.app), environment: String(r.environment), environmentId: String(r.id), deployedAt: r.deployed === null ? null : num(r.deployed) })),
  };
}

