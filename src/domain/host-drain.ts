// Draining a host by deploys: every environment placed on it is moved, one after another, to a
// target host (db/queries/move-request.ts says how one moves). Its progress is kept with the host.

/** What the drain workflow is asked: the host to empty and where its environments go (null: the installation's own). */
export interface DrainHostInput {
  hostId: string;
  target: string | null;
}

export type DrainState = 'moving' | 'drained' | 'incomplete';

/** A drain's progress, as the host shows it. */
export interface HostDrain {
  /** The host the environments go to (null: the installation's own). */
  target: string | null;
  state: DrainState;
  /** Environments on the host when the drain began. */
  total: number;
  /** app/env of those moved (or re-placed, when nothing of theirs was live). */
  moved: string[];
  /** app/env of those whose move did not succeed (they stay on the host, serving), with why. */
  failed: { environment: string; message: string }[];
  /** The environment moving now and its deployment. */
  current: { environment: string; deploymentId: string | null } | null;
  startedAt: number;
  finishedAt: number | null;
}

/** One drain per host at a time: its workflow id. */
export function drainWorkflowId(hostId: string): string {
  return `drain-host-${hostId}`;
}
