// The hot standby: after a deploy the previous release keeps running for the environment's
// standby seconds, so that a rollback to it inside that window is a route switch (its
// containers run and answer already). The deploy records which release and until when;
// reconcile leaves it running until then and stops it at its first pass after.
import { and, desc, eq, isNotNull, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deployments, environments } from '../../db/schema/index.js';

/** The release in standby now, if its window is open. */
export async function standbyRelease(db: Db, environmentId: string): Promise<string | null> {
  const [row] = await db
    .select({ releaseId: environments.standbyReleaseId, until: environments.standbyUntil })
    .from(environments)
    .where(eq(environments.id, environmentId));
  return row?.releaseId && row.until && row.until.getTime() > Date.now() ? row.releaseId : null;
}

export function createStandbyStore(db: Db) {
  return {
    /**
     * After `deploymentId` made `liveReleaseId` live: the release live before it (that of the
     * environment's latest other succeeded deployment) stays running for `seconds`. Returns it.
     */
    async keepStandby(input: { environmentId: string; deploymentId: string; liveReleaseId: string; seconds: number }): Promise<string | null> {
      const [previous] = await db
        .select({ releaseId: deployments.releaseId })
        .from(deployments)
        .where(
          and(
            eq(deployments.environmentId, input.environmentId),
            eq(deployments.status, 'succeeded'),
            ne(deployments.id, input.deploymentId),
            isNotNull(deployments.releaseId),
            ne(deployments.releaseId, input.liveReleaseId),
          ),
        )
        .orderBy(desc(deployments.finishedAt))
        .limit(1);
      const releaseId = previous?.releaseId ?? null;
      await db
        .update(environments)
        .set({ standbyReleaseId: releaseId, standbyUntil: releaseId ? new Date(Date.now() + input.seconds * 1000) : null })
        .where(eq(environments.id, input.environmentId));
      return releaseId;
    },
  };
}
