// The deployment an environment's lane has queued or running, if any: a move waits for none,
// and the API asks nothing new of an environment while it moves (its placement changes at the
// move's commit); a git push then is queued behind the move and placed when it runs.
import { and, eq, notInArray } from 'drizzle-orm';
import { FINAL_STATUSES } from '../../src/domain/deployment.js';
import type { Db } from '../client.js';
import { deployments } from '../schema/index.js';

export async function inFlightDeployment(db: Db, environmentId: string): Promise<{ id: string; trigger: string } | null> {
  const [row] = await db
    .select({ id: deployments.id, trigger: deployments.trigger })
    .from(deployments)
    .where(and(eq(deployments.environmentId, environmentId), notInArray(deployments.status, [...FINAL_STATUSES])))
    .limit(1);
  return row ?? null;
}

/** Every deployment not yet ended: its environment, and the release it pinned once it got that far. */
export async function deploymentsInFlight(db: Db): Promise<{ environmentId: string; releaseId: string | null }[]> {
  return db
    .select({ environmentId: deployments.environmentId, releaseId: deployments.releaseId })
    .from(deployments)
    .where(notInArray(deployments.status, [...FINAL_STATUSES]));
}
