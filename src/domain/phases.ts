// The phases of a deployment, in order. A deploy of an image walks all of them; a rollback to a
// retained container skips pull and create.

export const PHASES = ['queued', 'resolve', 'create', 'start', 'health', 'route', 'drain', 'retire', 'prune'] as const;
export type PhaseName = (typeof PHASES)[number];

export type PhaseOutcome = 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface PhaseRecord {
  phase: PhaseName;
  startedAt: string;
  endedAt: string | null;
  outcome: PhaseOutcome;
  message: string | null;
}

/** One change to a phase, as recorded in the database. */
export interface PhaseWrite {
  phase: PhaseName;
  outcome: PhaseOutcome;
  message?: string | null;
  /** When the phase started or ended (ms since epoch). */
  at: number;
}

/**
 * Phase changes handed to the activity that starts the next step, which records them before
 * it works: progress reaches the database without a round trip of its own.
 */
export interface PhaseReport {
  deploymentId: string;
  phases: PhaseWrite[];
  /** The deployment leaves the queue and runs from now on. */
  running?: boolean;
}

export function isPhaseName(value: string): value is PhaseName {
  return (PHASES as readonly string[]).includes(value);
}
