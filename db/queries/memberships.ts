// The project a resource belongs to, with the caller's role there, in one query: what the
// authorisation middleware needs for every operation on a project's resources.
import { and, eq, sql } from 'drizzle-orm';
import type { ProjectRole } from '../../src/domain/access.js';
import type { Db } from '../client.js';
import { apps, deployments, projectMembers, projects, users } from '../schema/index.js';

export interface ProjectAccess {
  projectId: string;
  role: ProjectRole | null;
}

const member = (userId: string, projectId: typeof projects.id | typeof apps.projectId) =>
  and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId));

export async function accessToProject(db: Db, projectName: string, userId: string): Promise<ProjectAccess | undefined> {
  const [row] = await db
    .select({ projectId: projects.id, role: projectMembers.role })
    .from(projects)
    .leftJoin(projectMembers, member(userId, projects.id))
    .where(eq(projects.name, projectName));
  return row;
}

export async function accessToApp(db: Db, appName: string, userId: string): Promise<ProjectAccess | undefined> {
  const [row] = await db
    .select({ projectId: apps.projectId, role: projectMembers.role })
    .from(apps)
    .leftJoin(projectMembers, member(userId, apps.projectId))
    .where(eq(apps.name, appName));
  return row;
}

export async function accessToDeployment(db: Db, deploymentId: string, userId: string): Promise<ProjectAccess | undefined> {
  const [row] = await db
    .select({ projectId: apps.projectId, role: projectMembers.role })
    .from(deployments)
    .innerJoin(apps, eq(apps.id, deployments.appId))
    .leftJoin(projectMembers, member(userId, apps.projectId))
    .where(eq(deployments.id, deploymentId));
  return row;
}

export async function membershipsOf(db: Db, userId: string): Promise<{ projectId: string; role: ProjectRole }[]> {
  return db.select({ projectId: projectMembers.projectId, role: projectMembers.role }).from(projectMembers).where(eq(projectMembers.userId, userId));
}

export async function listMembers(db: Db, projectId: string) {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: projectMembers.role, since: projectMembers.createdAt })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(users.email);
}

export async function countOwners(db: Db, projectId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, 'owner')));
  return row?.n ?? 0;
}
