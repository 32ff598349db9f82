// The phases of a deployment, in order, per kind of app. A deploy of an image walks all of
// IMAGE_PHASES; a rollback to a retained release skips create. Other kinds of app add their own
// lists here; every name any of them uses is in PHASES.

export const IMAGE_PHASES = ['queued', 'resolve', 'create', 'start', 'health', 'route', 'verify', 'drain', 'retire', 'prune'] as const;

/** A static site: the staged archive is received, unpacked, verified, then `current` switches and every host name is confirmed. */
export const STATIC_PHASES = ['queued', 'receive', 'unpack', 'verify', 'switch', 'confirm', 'retire', 'prune'] as const;

/** Apps of kind git build the commit first, then go on as an image deploy. */
export const GIT_PHASES = ['queued', 'build', 'resolve', 'create', 'start', 'health', 'route', 'verify', 'drain', 'retire', 'prune'] as const;

/**
 * A stack deployment: resolve (compile, pin images, record the release, prepare Swarm), rollout
 * (every service, level by level), verify (task images, routers), then drain and prune (the
 * watch between, when the environment has one); revert when the rollout failed.
 * A teardown records only its own phase.
 */
export const STACK_PHASES = ['queued', 'resolve', 'rollout', 'verify', 'drain', 'prune'] as const;
/** A stack whose compose file comes from its repository fetches the commit and builds its build: services first. */
export const GIT_STACK_PHASES = ['queued', 'build', 'resolve', 'rollout', 'verify', 'drain', 'prune'] as const;
/** Each service of a stack rollout: its Swarm service updated, its tasks started, health, route. */
export const SERVICE_PHASES = ['update', 'start', 'health', 'route'] as const;

/** Every phase name any kind of deployment records. */
export type PhaseName =
  | (typeof IMAGE_PHASES)[number]
  | (typeof STATIC_PHASES)[number]
  | (typeof GIT_PHASES)[number]
  | (typeof STACK_PHASES)[number]
  | (typeof GIT_STACK_PHASES)[number]
  | (typeof SERVICE_PHASES)[number]
  | 'revert'
  | 'teardown'
  /** The post-switch watch, when the environment has one (src/domain/post-switch-watch.ts). */
  | 'watch'
  /** A canary's steps before the switch to 100 %, when the deploy runs one (src/domain/canary.ts). */
  | 'canary'
  /** A blue-green release answering on its own host name before the switch (src/domain/blue-green.ts). */
  | 'preview';
export const PHASES = [
  ...new Set<PhaseName>([...IMAGE_PHASES, ...STATIC_PHASES, ...GIT_PHASES, ...STACK_PHASES, ...SERVICE_PHASES, 'revert', 'teardown', 'watch', 'canary', 'preview']),
] as [PhaseName, ...PhaseName[]];

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
  /** A service of a stack: the phases are that service's, not the deployment's. */
  service?: string | undefined;
  phases: PhaseWrite[];
  /** The deployment leaves the queue and runs from now on. */
  running?: boolean;
}

export function isPhaseName(value: string): value is PhaseName {
  return (PHASES as readonly string[]).includes(value);
}

/** The phases an activity recorded before it failed, carried in its failure's details (retireAndPrune); none for other failures. */
export function phasesOfFailure(err: unknown): PhaseWrite[] {
  const detail = (err as { cause?: { details?: unknown[] } } | null)?.cause?.details?.[0] as { phases?: PhaseWrite[] } | undefined;
  return Array.isArray(detail?.phases) ? detail.phases : [];
}
