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

export function isPhaseName(value: string): value is PhaseName {
  return (PHASES as readonly string[]).includes(value);
}
