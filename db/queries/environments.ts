import { and, asc, eq } from 'drizzle-orm';
import { hostDomains } from '../../src/domain/domain-pattern.js';
import type { Db } from '../client.js';
import { deployments, environments } from '../schema/index.js';

export type EnvironmentRow = typeof environments.$inferSelect;

export async function getEnvironment(db: Db, appId: string, name: string): Promise<EnvironmentRow | undefined> {
  const [row] = await db.select().from(environments).where(and(eq(environments.appId, appId), eq(environments.name, name)));
  return row;
}

export async function getEnvironmentById(db: Db, id: string): Promise<EnvironmentRow | undefined> {
  const [row] = await db.select().from(environments).where(eq(environments.id, id));
  return row;
}

export async function listEnvironments(db: Db, appId: string): Promise<EnvironmentRow[]> {
  return db.select().from(environments).where(eq(environments.appId, appId)).orderBy(asc(environments.name));
}

/** Environments (other than `exceptId`) with a domain (its own or its pattern's) the predicate picks. */
export async function environmentsClaiming(db: Db, picks: (domain: string) => boolean, exceptId?: string): Promise<EnvironmentRow[]> {
  const rows = await db.select().from(environments);
  return rows.filter((r) => r.id !== exceptId && hostDomains(r).some(picks));
}

/** Does this deployment run in an untrusted environment (a fork's preview: no secrets)? */
export async function deploymentIsUntrusted(db: Db, deploymentId: string): Promise<boolean> {
  const [row] = await db
    .select({ untrusted: environments.untrusted })
    .from(deployments)
    .innerJoin(environments, eq(environments.id, deployments.environmentId))
    .where(eq(deployments.id, deploymentId));
  return row?.untrusted ?? false;
}
