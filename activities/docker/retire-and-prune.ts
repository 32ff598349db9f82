// The image deploy's tidying after its commit in one step on the host: the environment's other
// releases' containers stopped (kept for an instant rollback), then those of releases beyond
// retention removed. One activity instead of two: a task on the host's queue and a workflow task
// fewer on every deploy (each a round trip through Temporal and CPU of the worker and the server).
// Both halves are idempotent, so a retry runs them again from what the engine has.
import { ApplicationFailure } from '@temporalio/activity';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import type { createContainerActivities } from './containers.js';

export interface RetireAndPruneInput {
  /** The phase changes up to the retire phase's start (recorded first). */
  report: PhaseReport;
  environmentId: string;
  liveReleaseId: string;
  timeoutSeconds: number;
  standbyReleaseId: string | null;
  /** Appended to the retire phase's message ("; <release> in standby for 60 s"). */
  standbyNote: string;
  /** The retention window's releases (and the standby one): their containers stay. */
  keepReleaseIds: string[];
}

export interface RetiredAndPruned {
  stopped: string[];
  removed: string[];
  imageIds: string[];
  /** The retire phase's end and the prune phase's start, as recorded here (the workflow applies them). */
  phases: PhaseWrite[];
}

export function createRetireAndPrune({ containers }: { containers: ReturnType<typeof createContainerActivities> }) {
  return async function retireAndPrune(input: RetireAndPruneInput): Promise<RetiredAndPruned> {
    const { environmentId } = input;
    const stopped = await containers.retireContainers({ report: input.report, environmentId, liveReleaseId: input.liveReleaseId, timeoutSeconds: input.timeoutSeconds, standbyReleaseId: input.standbyReleaseId });
    const at = Date.now();
    const phases: PhaseWrite[] = [
      { phase: 'retire', outcome: 'succeeded', message: `stopped ${stopped.length} container(s)${input.standbyNote}`, at },
      { phase: 'prune', outcome: 'running', at },
    ];
    try {
      const pruned = await containers.pruneContainers({ report: { deploymentId: input.report.deploymentId, phases }, environmentId, keepReleaseIds: input.keepReleaseIds });
      return { stopped, ...pruned, phases };
    } catch (err) {
      // Retire is done and recorded: the failure carries that, so the workflow ends the prune
      // phase as failed, not the retire phase (docs/deployments.md, "cleanup incomplete").
      throw withPhases(err, phases);
    }
  };
}

/** The same failure (type, retryability, cause) with the phases recorded so far as its details. */
export function withPhases(err: unknown, phases: PhaseWrite[]): ApplicationFailure {
  const failure = err instanceof ApplicationFailure ? err : null;
  const error = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({ type: failure?.type ?? error.name, message: error.message, nonRetryable: failure?.nonRetryable ?? false, details: [{ phases }], cause: error });
}

