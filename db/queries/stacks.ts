import { eq } from 'drizzle-orm';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { Db } from '../client.js';
import { openReleaseVariables } from './release-variables.js';
import { appStacks, releases, stackOverrides, stackReleases } from '../schema/index.js';

export type StackReleaseRow = typeof stackReleases.$inferSelect & { number: number; variables: Record<string, string>; environmentId: string };

/** A stack's release with all its variables, the secret ones opened (for its secrets and configs). */

export async function getAppCompose(db: Db, appId: string): Promise<string | null> {
  const [row] = await db.select({ compose: appStacks.compose }).from(appStacks).where(eq(appStacks.appId, appId));
  return row?.compose ?? null;
}

export async function getStackOverride(db: Db, environmentId: string): Promise<string | null> {
  const [row] = await db.select({ compose: stackOverrides.compose }).from(stackOverrides).where(eq(stackOverrides.environmentId, environmentId));
  return row?.compose ?? null;
}

export async function getStackRelease(db: Db, box: SecretBox, releaseId: string): Promise<StackReleaseRow | undefined> {
  const [row] = await db
    .select({ stack: stackReleases, number: releases.number, variables: releases.variables, variablesSealed: releases.variablesSealed, environmentId: releases.environmentId })
    .from(stackReleases)
    .innerJoin(releases, eq(releases.id, stackReleases.releaseId))
    .where(eq(stackReleases.releaseId, releaseId));
  if (!row) return undefined;
  const variables = openReleaseVariables(box, { id: releaseId, variables: row.variables, variablesSealed: row.variablesSealed });
  return { ...row.stack, number: row.number, variables, environmentId: row.environmentId };
}
