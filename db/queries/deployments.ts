import { and, asc, desc, eq, gt, inArray, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apps, deploymentLogs, deploymentPhases, deploymentServicePhases, deployments } from '../schema/index.js';

export type DeploymentRow = typeof deployments.$inferSelect;
export type PhaseRow = typeof deploymentPhases.$inferSelect;
export type LogRow = typeof deploymentLogs.$inferSelect;
export type ServicePhaseRow = typeof deploymentServicePhases.$inferSelect;

export async function getDeployment(db: Db, id: string): Promise<(DeploymentRow & { phases: PhaseRow[]; servicePhases: ServicePhaseRow[] }) | undefined> {
  const [row] = await db.select().from(deployments).where(eq(deployments.id, id));
  if (!row) return undefined;
  const phases = await db.select().from(deploymentPhases).where(eq(deploymentPhases.deploymentId, id)).orderBy(asc(deploymentPhases.startedAt));
  return { ...row, phases, servicePhases: await listServicePhases(db, [id]) };
}

/** Phases of the services of stack deployments, in the order they started. */
export async function listServicePhases(db: Db, deploymentIds: string[]): Promise<ServicePhaseRow[]> {
  if (deploymentIds.length === 0) return [];
  return db
    .select()
    .from(deploymentServicePhases)
    .where(inArray(deploymentServicePhases.deploymentId, deploymentIds))
    .orderBy(asc(deploymentServicePhases.startedAt));
}

export interface DeploymentQuery {
  /** Deployments of apps of these projects only (null or absent: every project). */
  projectIds?: string[] | null;
  appId?: string | undefined;
  environmentId?: string | undefined;
  status?: string | undefined;
  /** Ids sort by creation time: a page continues below the last id seen. */
  before?: string | undefined;
  limit: number;
}

export async function listDeployments(db: Db, q: DeploymentQuery): Promise<DeploymentRow[]> {
  const where: SQL[] = [];
  if (q.appId) where.push(eq(deployments.appId, q.appId));
  if (q.environmentId) where.push(eq(deployments.environmentId, q.environmentId));
  if (q.status) where.push(eq(deployments.status, q.status as DeploymentRow['status']));
  if (q.before) where.push(lt(deployments.id, q.before));
  if (q.projectIds) {
    if (q.projectIds.length === 0) return [];
    where.push(inArray(deployments.appId, db.select({ id: apps.id }).from(apps).where(inArray(apps.projectId, q.projectIds))));
  }
  return db
    .select()
    .from(deployments)
    .where(and(...where))
    .orderBy(desc(deployments.id))
    .limit(q.limit);
}

export async function listPhases(db: Db, deploymentIds: string[]): Promise<PhaseRow[]> {
  if (deploymentIds.length === 0) return [];
  return db.select().from(deploymentPhases).where(inArray(deploymentPhases.deploymentId, deploymentIds)).orderBy(asc(deploymentPhases.startedAt));
}

export async function logsAfter(db: Db, deploymentId: string, afterId: number, limit = 500): Promise<LogRow[]> {
  return db
    .select()
    .from(deploymentLogs)
    .where(and(eq(deploymentLogs.deploymentId, deploymentId), gt(deploymentLogs.id, afterId)))
    .orderBy(asc(deploymentLogs.id))
    .limit(limit);
}
