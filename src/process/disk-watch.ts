// The worker's disk watch: every BERTH_DISK_CHECK_SECONDS it reads the free space on the Docker
// root, and below BERTH_DISK_CLEANUP_FREE_MB the cleanup (the berth-cleanup schedule's workflow,
// cleanUpHost) runs now rather than at its next turn, before builds and pulls reach the lower
// BERTH_DISK_MIN_FREE_MB and stop. While the disk stays low it runs again at most every RERUN_MS.
// Falling below the level is also told to the instance's channels (disk.low), once per fall:
// the disk has to come back above it before another.
import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';
import { formatSize, type DockerRootSpace } from '../docker-root-space.js';
import { WORKFLOWS } from '../domain/workflow-contracts.js';
import { CLEANUP_WORKFLOW_ID } from '../domain/workflow-ids.js';
import type { Logger } from '../logger.js';
import { cleanupInput } from '../temporal/schedules.js';
import { startWorkflow } from '../temporal/workflow-starts.js';

/** While the disk stays low, the early cleanup runs again after this long at the soonest. */
export const RERUN_MS = 15 * 60_000;

export interface DiskWatch {
  stop(): void;
}

/** What disk.low carries (activities/notify/host-notices.ts). */
export type DiskLowNotify = (low: { path: string; freeBytes: number; belowBytes: number; minFreeBytes: number; since: number }) => Promise<void>;

export function watchDiskSpace(deps: { temporal: Client; config: Config; space: DockerRootSpace; log: Logger; notifyLow?: DiskLowNotify }): DiskWatch {
  const { temporal, config, space, log } = deps;
  const { cleanupFreeBytes, checkSeconds } = config.guards.disk;
  let lastRun = 0;
  let lowSince: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function check(): Promise<void> {
    const s = await space();
    if (s && s.freeBytes >= cleanupFreeBytes) lowSince = null;
    if (s && s.freeBytes < cleanupFreeBytes && lowSince === null) {
      const since = Date.now();
      // Told at most once per fall; a failure to tell is tried again on the next check.
      await deps.notifyLow?.({ path: s.path, freeBytes: s.freeBytes, belowBytes: cleanupFreeBytes, minFreeBytes: config.guards.disk.minFreeBytes, since }).then(
        () => (lowSince = since),
        (err: unknown) => log.warn({ err }, 'disk.low not emitted'),
      );
      if (!deps.notifyLow) lowSince = since;
    }
    if (!s || s.freeBytes >= cleanupFreeBytes || Date.now() - lastRun < RERUN_MS) return;
    lastRun = Date.now();
    log.warn({ path: s.path, free: formatSize(s.freeBytes), below: formatSize(cleanupFreeBytes) }, 'Docker root short of disk; cleaning up now');
    // A cleanup already running (the schedule's) covers this one.
    await startWorkflow(temporal, WORKFLOWS.cleanUpHost, {
      workflowId: CLEANUP_WORKFLOW_ID,
      args: [cleanupInput(config, false, 'disk-low')],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  const loop = () => {
    if (stopped) return;
    check()
      .catch((err: unknown) => log.warn({ err }, 'disk check failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, checkSeconds * 1000);
      });
  };
  if (cleanupFreeBytes > 0) loop();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
