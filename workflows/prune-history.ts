// The retention schedule: rows of history older than their configured age go, one table at a
// time, each in batches (activities/store/prune-history.ts).
import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { PruneHistoryInput, PrunedCounts } from '../src/domain/workflow-contracts.js';
import { PRUNE } from './activity-profiles.js';

export async function pruneHistory(input: PruneHistoryInput): Promise<PrunedCounts> {
  const { pruneOldRows } = proxyActivities<ControlActivities>(PRUNE);
  return pruneOldRows(input);
}
