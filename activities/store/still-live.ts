// Whether a reconcile's view of an environment still holds. A reconcile acts on what it read a
// moment (or, waiting on a host, a while) ago: a deployment queued or running since owns the
// environment, and one that went live since owns its route.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deployments, environments } from '../../db/schema/index.js';

/** A deployment of the environment is queued or running. */
export async function deploymentUnderWay(db: Db, environmentId: string): Promise<boolean> {
  const [busy] = await db
    .select({ id: deployments.id })
    .from(deployments)
    .where(and(eq(deployments.environmentId, environmentId), inArray(deployments.status, ['queued', 'running'])))
    .limit(1);
  return busy !== undefined;
}

/** `deploymentId` is the environment's live deployment and no other is queued or running. */
export async function stillLive(db: Db, environmentId: string, deploymentId: string): Promise<boolean> {
  const [[env], busy] = await Promise.all([
    db.select({ live: environments.liveDeploymentId }).from(environments).where(eq(environments.id, environmentId)),
    deploymentUnderWay(db, environmentId),
  ]);
  return env?.live === deploymentId && !busy;
}
