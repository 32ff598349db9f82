// Everything the overview shows, in six queries whatever the number of apps: projects, their
// apps and environments, each environment's live release, its latest deployment, the
// deployments still in flight, and the last drift reconcile found in each environment. (One query per app would make the page slow as it grows.)
import { and, desc, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apps, deployments, environments, projects, reconcileEvents, releases } from '../schema/index.js';
import { FINAL_STATUSES } from '../../src/domain/deployment.js';

export type DeploymentSummaryRow = Pick<typeof deployments.$inferSelect, 'id' | 'environmentId' | 'kind' | 'status' | 'trigger' | 'message' | 'createdAt' | 'finishedAt'>;

const summary = {
  id: deployments.id,
  environmentId: deployments.environmentId,
  kind: deployments.kind,
  status: deployments.status,
  trigger: deployments.trigger,
  message: deployments.message,
  createdAt: deployments.createdAt,
  finishedAt: deployments.finishedAt,
};

/** projectIds null: every project. */
export async function readOverview(db: Db, projectIds: string[] | null) {
  const projectRows = await db
    .select()
    .from(projects)
    .where(projectIds === null ? undefined : inArray(projects.id, projectIds.length ? projectIds : ['']))
    .orderBy(projects.name);
  const ids = projectRows.map((p) => p.id);
  const appRows = ids.length ? await db.select().from(apps).where(inArray(apps.projectId, ids)).orderBy(apps.name) : [];
  const appIds = appRows.map((a) => a.id);
  const envRows = appIds.length ? await db.select().from(environments).where(inArray(environments.appId, appIds)).orderBy(environments.name) : [];
  const envIds = envRows.map((e) => e.id);
  const liveIds = envRows.map((e) => e.liveReleaseId).filter((id): id is string => id !== null);
  const releaseRows = liveIds.length
    ? await db.select({ id: releases.id, number: releases.number, imageRef: releases.imageRef, imagePinned: releases.imagePinned }).from(releases).where(inArray(releases.id, liveIds))
    : [];
  // The latest deployment of each environment (PostgreSQL's DISTINCT ON), and every one not yet final.
  const latest = envIds.length
    ? ((await db
        .selectDistinctOn([deployments.environmentId], summary)
        .from(deployments)
        .where(inArray(deployments.environmentId, envIds))
        .orderBy(deployments.environmentId, desc(deployments.createdAt))) as DeploymentSummaryRow[])
    : [];
  const active = envIds.length
    ? ((await db
        .select(summary)
        .from(deployments)
        .where(and(inArray(deployments.environmentId, envIds), notInArray(deployments.status, [...FINAL_STATUSES])))
        .orderBy(sql`${deployments.createdAt} desc`)) as DeploymentSummaryRow[])
    : [];
  const drift = envIds.length
    ? await db
        .selectDistinctOn([reconcileEvents.environmentId], {
          environmentId: reconcileEvents.environmentId,
          at: reconcileEvents.at,
          drift: reconcileEvents.drift,
          action: reconcileEvents.action,
          outcome: reconcileEvents.outcome,
        })
        .from(reconcileEvents)
        .where(inArray(reconcileEvents.environmentId, envIds))
        .orderBy(reconcileEvents.environmentId, desc(reconcileEvents.id))
    : [];
  return { projectRows, appRows, envRows, releaseRows, latest, active, drift };
}

/**
 * A short string that changes whenever what the overview shows may have: apps and environments
 * made, changed or removed, deployments started, moved on or ended, releases made live, drift found.
 */
export async function overviewFingerprint(db: Db, projectIds: string[] | null): Promise<string> {
  const scope = projectIds === null ? sql`true` : projectIds.length ? sql`a.project_id in (${sql.join(projectIds.map((id) => sql`${id}`), sql`, `)})` : sql`false`;
  const rows = await db.execute<{ f: string | null }>(sql`
    select concat_ws('|',
      (select count(*) || ':' || coalesce(max(a.updated_at)::text, '') from apps a where ${scope}),
      (select count(*) || ':' || coalesce(max(e.updated_at)::text, '') || ':' || coalesce(string_agg(coalesce(e.live_release_id, '-'), ',' order by e.id), '')
         from environments e join apps a on a.id = e.app_id where ${scope}),
      (select count(*) || ':' || coalesce(max(d.created_at)::text, '') || ':' || coalesce(max(d.finished_at)::text, '') || ':' || count(*) filter (where d.status = 'running')
         from deployments d join apps a on a.id = d.app_id where ${scope}),
      (select coalesce(max(r.id)::text, '') from reconcile_events r join environments e on e.id = r.environment_id join apps a on a.id = e.app_id where ${scope})
    ) as f`);
  const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: { f: string | null }[] }).rows;
  return String(list[0]?.f ?? '');
}
