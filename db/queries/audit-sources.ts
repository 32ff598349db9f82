// Audit rows written by the worker's activities, for work nobody asked the API for: deployments
// a webhook delivery started, deployments a schedule cancelled, previews removed on their own.
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apps, environments } from '../schema/index.js';
import type { NewAuditEvent } from './audit.js';

/** Project ids of apps by name (the audit log keeps the project of each row). */
export async function projectsOfApps(db: Db, names: string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const rows = await db.select({ name: apps.name, projectId: apps.projectId }).from(apps).where(inArray(apps.name, names));
  return new Map(rows.map((r) => [r.name, r.projectId]));
}

export async function projectOfEnvironment(db: Db, environmentId: string): Promise<{ projectId: string; app: string; environment: string } | undefined> {
  const [row] = await db
    .select({ projectId: apps.projectId, app: apps.name, environment: environments.name })
    .from(environments)
    .innerJoin(apps, eq(apps.id, environments.appId))
    .where(eq(environments.id, environmentId));
  return row;
}

export function scheduleEvent(actorId: string, action: string, target: string, projectId: string | null, detail: Record<string, unknown>): NewAuditEvent {
  return { actorKind: 'schedule', actorId, actorName: actorId, action, target, projectId, outcome: 'succeeded', status: null, requestId: null, address: null, detail };
}
