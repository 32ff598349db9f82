// Berth's Temporal Schedules, created or brought up to date when a worker starts: the periodic
// reconcile, the cleanup of images and build cache, the retention of history rows, and the check of certificates' expiry. Overlaps are skipped: one run at a time.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../config.js';
import { WORKFLOWS, type CleanupInput, type ReconcileAllInput } from '../domain/workflow-contracts.js';
import { CHECK_CERTIFICATES_WORKFLOW_ID, CLEANUP_WORKFLOW_ID, PRUNE_HISTORY_WORKFLOW_ID, RECONCILE_ALL_WORKFLOW_ID } from '../domain/workflow-ids.js';
import { scheduledStart } from './workflow-starts.js';

export const RECONCILE_SCHEDULE_ID = 'berth-reconcile';
export const CLEANUP_SCHEDULE_ID = 'berth-cleanup';
export const RETENTION_SCHEDULE_ID = 'berth-retention';
export const CERTIFICATES_SCHEDULE_ID = 'berth-certificates';

/** An activity waiting this long with no worker to run it means its host's worker is gone. */
export const NO_WORKER_AFTER_MS = 60_000;
/** After asking a stuck deployment to cancel, how long before it is terminated. */
export const CANCEL_GRACE_MS = 120_000;

/** What the cleanup of images, build cache and uploads (cleanUpHost) is given. */
export function cleanupInput(config: Config, dryRun: boolean, trigger: string, buildCacheHours = config.reconcile.buildCacheMaxAgeHours): CleanupInput {
  return { hostId: config.hostId, dryRun, trigger, buildCacheHours };
}

export function reconcileAllInput(config: Config, trigger: string): ReconcileAllInput {
  return {
    hostId: config.hostId,
    trigger,
    stuck: {
      deadlineMs: config.reconcile.stuckAfterSeconds * 1000,
      noWorkerMs: NO_WORKER_AFTER_MS,
      policy: config.reconcile.stuckPolicy,
      cancelGraceMs: CANCEL_GRACE_MS,
    },
  };
}

function schedules(config: Config): ScheduleOptions[] {
  return [
    {
      scheduleId: RECONCILE_SCHEDULE_ID,
      spec: { intervals: [{ every: `${config.reconcile.intervalSeconds}s` }] },
      action: scheduledStart(WORKFLOWS.reconcileAll, { workflowId: RECONCILE_ALL_WORKFLOW_ID, args: [reconcileAllInput(config, 'schedule')] }),
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    },
    {
      scheduleId: CLEANUP_SCHEDULE_ID,
      spec: { intervals: [{ every: `${config.reconcile.cleanupIntervalSeconds}s` }] },
      action: scheduledStart(WORKFLOWS.cleanUpHost, { workflowId: CLEANUP_WORKFLOW_ID, args: [cleanupInput(config, false, 'schedule')] }),
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    },
    {
      scheduleId: RETENTION_SCHEDULE_ID,
      spec: { intervals: [{ every: `${config.retention.intervalSeconds}s` }] },
      action: scheduledStart(WORKFLOWS.pruneHistory, { workflowId: PRUNE_HISTORY_WORKFLOW_ID, args: [config.retention.days] }),
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    },
    {
      scheduleId: CERTIFICATES_SCHEDULE_ID,
      spec: { intervals: [{ every: `${config.notifications.certificates.intervalSeconds}s` }] },
      action: scheduledStart(WORKFLOWS.checkCertificates, { workflowId: CHECK_CERTIFICATES_WORKFLOW_ID, args: [{ warnDays: config.notifications.certificates.warnDays }] }),
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    },
  ];
}

export async function ensureSchedules(client: Client, config: Config): Promise<void> {
  for (const options of schedules(config)) {
    try {
      await client.schedule.create(options);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
    }
  }
}
