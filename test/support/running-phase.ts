// Which phase of a deployment is running now, from the phases the workflow records: tests that
// kill a worker or an engine wait for a deploy to reach a given phase first.
import { and, eq } from 'drizzle-orm';
import { deploymentPhases } from '../../db/schema/index.js';
import type { PhaseName } from '../../src/domain/phases.js';
import type { TestBerth } from './berth.js';

export async function runningPhase(berth: TestBerth, deploymentId: string): Promise<PhaseName | null> {
  const rows = await berth.database.db
    .select({ phase: deploymentPhases.phase })
    .from(deploymentPhases)
    .where(and(eq(deploymentPhases.deploymentId, deploymentId), eq(deploymentPhases.outcome, 'running')));
  return (rows[0]?.phase as PhaseName | undefined) ?? null;
}
