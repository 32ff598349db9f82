// Whether a reconcile's view of an environment still holds: `deploymentId` is its live
// deployment and no other deployment is queued or running. A reconcile that waited on a host
// (a spread environment's heal may wait for a host's worker) checks it before acting, so it
// never undoes what a deploy made meanwhile.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deployments, environments } from '../../db/schema/index.js';

export async function stillLive(db: Db, environmentId: string, deploymentId: string): Promise<boolean> {
  const [[env], [busy]] = await Promise.all([
    db.select({ live: environments.liveDeploymentId }).from(environments).where(eq(environments.id, environmentId)),
    db
      .select({ id: deployments.id })
      .from(deployments)
      .where(and(eq(deployments.environmentId, environmentId), inArray(deployments.status, ['queued', 'running'])))
      .limit(1),
  ]);
  return env?.live === deploymentId && !busy;
}
