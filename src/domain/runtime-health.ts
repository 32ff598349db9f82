// What the runtime watch decides, as pure functions: whether an environment's live release
// lost or regained its health, and whether a container is in a restart loop. Only transitions
// are events; every other pass changes a tally and says nothing, so a release that stays down
// is told about once, not on every probe.

export type HealthState = 'healthy' | 'unhealthy';

export interface HealthTally {
  releaseId: string;
  state: HealthState;
  /** Consecutive passes with a failing replica (while healthy) or all replicas good (while unhealthy). */
  streak: number;
  /** When the current state began (ms): part of the event key, one event per transition. */
  since: number;
}

export interface HealthPass {
  releaseId: string;
  /** Every replica answered as the health check expects. */
  ok: boolean;
  at: number;
}

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

/**
 * The next tally after one pass, and the transition it makes, if any. A live release starts
 * healthy (its deploy's health gate passed); a new live release starts over.
 */
export function nextHealth(prev: HealthTally | undefined, pass: HealthPass, t: Thresholds): { tally: HealthTally; transition: 'lost' | 'regained' | null } {
  const base: HealthTally = prev && prev.releaseId === pass.releaseId ? prev : { releaseId: pass.releaseId, state: 'healthy', streak: 0, since: pass.at };
  const against = base.state === 'healthy' ? !pass.ok : pass.ok;
  if (!against) return { tally: { ...base, streak: 0 }, transition: null };
  const streak = base.streak + 1;
  const needed = base.state === 'healthy' ? t.failureThreshold : t.successThreshold;
  if (streak < Math.max(1, needed)) return { tally: { ...base, streak }, transition: null };
  const state: HealthState = base.state === 'healthy' ? 'unhealthy' : 'healthy';
  return { tally: { releaseId: base.releaseId, state, streak: 0, since: pass.at }, transition: state === 'unhealthy' ? 'lost' : 'regained' };
}

export interface RestartLoopPolicy {
  /** Restarts within the window that make a loop. */
  count: number;
  windowMs: number;
}

export interface RestartHistory {
  /** When the engine restarted the container (ms), oldest first, within the window. */
  restarts: number[];
  /** When a loop was last reported: not again until a window passes without one. */
  reportedAt: number | null;
}

/** Records one restart; `loop` is true when this restart makes a loop not reported yet. */
export function recordRestart(prev: RestartHistory | undefined, at: number, policy: RestartLoopPolicy): { history: RestartHistory; loop: boolean } {
  const restarts = [...(prev?.restarts ?? []).filter((t) => at - t < policy.windowMs), at];
  let reportedAt = prev?.reportedAt ?? null;
  // A loop reported earlier is over once a whole window went by with no restart before this one.
  const previous = prev?.restarts.at(-1);
  if (reportedAt !== null && (previous === undefined || at - previous >= policy.windowMs)) reportedAt = null;
  const loop = reportedAt === null && restarts.length >= policy.count;
  if (loop) reportedAt = at;
  return { history: { restarts, reportedAt }, loop };
}
