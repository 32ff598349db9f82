// The Temporal Schedule that syncs every installation's repositories, made (or brought to the
// configured interval) when a worker starts. Overlapping runs are skipped.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { WORKFLOWS } from '../domain/workflow-contracts.js';
import { REPOSITORY_SYNC_SCHEDULE_ID, repositorySyncWorkflowId } from '../domain/workflow-ids.js';
import { scheduledStart } from './workflow-starts.js';

export async function ensureRepositorySyncSchedule(temporal: Client, everyMinutes: number): Promise<void> {
  const spec = { intervals: [{ every: `${everyMinutes}m` as const }] };
  const action = scheduledStart(WORKFLOWS.syncRepositories, { workflowId: repositorySyncWorkflowId(null), args: [{ installationId: null }] });
  try {
    await temporal.schedule.create({ scheduleId: REPOSITORY_SYNC_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(REPOSITORY_SYNC_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
  }
}
