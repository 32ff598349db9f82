import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import type { EnvironmentRow } from './environments.js';
import { apps, environments, projects } from '../schema/index.js';

export type AppRow = typeof apps.$inferSelect & { projectName: string };

const withProject = { app: apps, projectName: projects.name };

export async function getAppByName(db: Db, name: string): Promise<AppRow | undefined> {
  const [row] = await db.select(withProject).from(apps).innerJoin(projects, eq(apps.projectId, projects.id)).where(eq(apps.name, name));
  return row ? { ...row.app, projectName: row.projectName } : undefined;
}

/**
 * An app and one of its environments by their names, in one round trip (every environment route
 * starts here): the app without the environment when it has none of that name.
 */
export async function getAppAndEnvironment(db: Db, appName: string, envName: string): Promise<{ app: AppRow; env: EnvironmentRow | null } | undefined> {
  const [row] = await db
    .select({ ...withProject, env: environments })
    .from(apps)
    .innerJoin(projects, eq(apps.projectId, projects.id))
    .leftJoin(environments, and(eq(environments.appId, apps.id), eq(environments.name, envName)))
    .where(eq(apps.name, appName));
  return row ? { app: { ...row.app, projectName: row.projectName }, env: row.env } : undefined;
}

/** Apps of these projects (null: of every project), by name. */
export async function listApps(db: Db, projectIds: string[] | null): Promise<AppRow[]> {
  if (projectIds !== null && projectIds.length === 0) return [];
  const rows = await db
    .select(withProject)
    .from(apps)
    .innerJoin(projects, eq(apps.projectId, projects.id))
    .where(projectIds ? inArray(apps.projectId, projectIds) : undefined)
    .orderBy(asc(apps.name));
  return rows.map((r) => ({ ...r.app, projectName: r.projectName }));
}
