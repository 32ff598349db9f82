// What one deploy costs in round trips, read from Temporal after the parallel benchmark's timed
// phase: the workflow tasks, activities and local activities of a deploy's history (and of its
// lane's share), figures that do not move with the machine's load the way CPU seconds do.
import type { Client } from '@temporalio/client';
import { deployWorkflowId, laneWorkflowId } from '../src/domain/workflow-ids.js';

export interface HistoryCounts {
  workflowTasks: number;
  activities: number;
  localActivities: number;
  events: number;
}

/** Counts the events of one workflow's history (its current run). */
export async function historyCounts(temporal: Client, workflowId: string): Promise<HistoryCounts> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const has = (key: string) => events.filter((e) => (e as Record<string, unknown>)[key] != null).length;
  return {
    workflowTasks: has('workflowTaskCompletedEventAttributes'),
    activities: has('activityTaskScheduledEventAttributes'),
    // Local activities leave a marker each.
    localActivities: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
    events: events.length,
  };
}

/** The median deploy's counts over these deployments' workflows (each finished), and their lanes' (one deploy each, so far). */
export async function deployCounts(temporal: Client, deploymentIds: string[], environmentIds: string[] = []): Promise<string> {
  const median = (all: HistoryCounts[], pick: (c: HistoryCounts) => number) => all.map(pick).sort((a, b) => a - b)[Math.floor(all.length / 2)];
  const line = (all: HistoryCounts[]) =>
    `${median(all, (c) => c.workflowTasks)} workflow tasks, ${median(all, (c) => c.activities)} activities, ${median(all, (c) => c.localActivities)} local activities, ${median(all, (c) => c.events)} events`;
  const deploys = await Promise.all(deploymentIds.map((id) => historyCounts(temporal, deployWorkflowId(id))));
  const lanes = await Promise.all(environmentIds.map((id) => historyCounts(temporal, laneWorkflowId(id))));
  return `per deploy (median of ${deploys.length} histories): ${line(deploys)}${lanes.length ? `; its lane (started by it): ${line(lanes)}` : ''}`;
}
