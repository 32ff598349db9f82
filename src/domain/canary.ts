// Canary releases: the new release takes a growing share of an environment's traffic, step by
// step (a weighted Traefik service with a sticky cookie), while an analysis compares its 5xx
// ratio and p95 latency with the stable release's, read from Traefik's per-service metrics.
// Requests carrying a configured header or cookie reach it first, before any weight moves.
// Policy as data: the settings, the plan of steps and the verdict, decided here and unit-tested.
import { MIN_REQUESTS } from './post-switch-watch.js';

/** Requests carrying this header (or cookie) with this value go to the canary from the start. */
export interface SplitMatch {
  name: string;
  value: string;
}

export interface CanarySettings {
  /** The canary's share of traffic at each step, in percent, rising; 100 % follows the last. */
  steps: number[];
  /** How long each step lasts (a durable timer) while the analysis watches. */
  stepSeconds: number;
  /** How far the canary's 5xx ratio may exceed the stable release's (0–1) before it is aborted. */
  maxErrorRatioIncrease: number;
  /** p95 latency (ms) the canary may reach when it is also slower than the stable release. */
  maxP95Ms: number;
  /** Requests with this header go to the canary (a step at 0 % comes first). */
  header?: SplitMatch | null | undefined;
  /** Requests with this cookie go to the canary (a step at 0 % comes first). */
  cookie?: SplitMatch | null | undefined;
}

/** An environment's (or a deploy's) own settings; what is not set comes from the defaults. */
export type CanaryOverrides = Partial<CanarySettings>;

export const DEFAULT_CANARY: CanarySettings = { steps: [5, 25, 50], stepSeconds: 60, maxErrorRatioIncrease: 0.05, maxP95Ms: 2000 };

/**
 * How a deploy moves traffic: all at once after the health gate, as a canary, or blue-green
 * (all at once after the new release answered on its own host name; src/domain/blue-green.ts).
 */
export type ReleaseStrategy = 'all-at-once' | 'canary' | 'blue-green';

/**
 * The canary a deploy runs, or null for all-at-once. The environment's setting decides (null:
 * all-at-once); a deploy may choose its own strategy and override settings for itself.
 */
export function resolveCanary(
  environment: CanaryOverrides | null | undefined,
  deploy?: { strategy?: ReleaseStrategy | undefined; canary?: CanaryOverrides | undefined },
): CanarySettings | null {
  const strategy = deploy?.strategy ?? (environment || deploy?.canary ? 'canary' : 'all-at-once');
  if (strategy === 'all-at-once' || strategy === 'blue-green') return null;
  return { ...DEFAULT_CANARY, ...(environment ?? {}), ...(deploy?.canary ?? {}) };
}

/**
 * Kinds whose deploys can run a canary: those released as containers behind one route, stacks,
 * whose exposed services each split their own route (src/domain/stack-strategy.ts), and static
 * sites, whose new release answers through its preview route (src/domain/static-canary.ts).
 */
export function appKindRunsCanary(kind: string): boolean {
  return kind === 'image' || kind === 'git' || kind === 'stack' || kind === 'static';
}

/** The weights a canary goes through: 0 % first when a header or cookie split lets testers in. */
export function canaryPlan(s: CanarySettings): number[] {
  const weights = s.steps.filter((w) => w > 0 && w < 100);
  return s.header || s.cookie ? [0, ...weights] : weights;
}

/** One version's answers during a step, from Traefik's metrics. */
export interface VersionFigures {
  requests: number;
  errors: number;
  /** Upper bound of the latency bucket holding the 95th percentile; null without answers. */
  p95Ms: number | null;
}

export interface CanaryFigures {
  stable: VersionFigures;
  canary: VersionFigures;
}

/** Why the analysis aborts the canary, or null while it holds (or has too few answers to say). */
export function canaryVerdict(f: CanaryFigures, s: CanarySettings): string | null {
  if (f.canary.requests < MIN_REQUESTS) return null;
  const canaryRatio = f.canary.errors / f.canary.requests;
  // A stable release with too few answers is taken as error-free: the canary is judged alone.
  const stableRatio = f.stable.requests >= MIN_REQUESTS ? f.stable.errors / f.stable.requests : 0;
  if (canaryRatio - stableRatio > s.maxErrorRatioIncrease) {
    return `canary 5xx ratio ${percent(canaryRatio)} against ${percent(stableRatio)} for stable (more than +${percent(s.maxErrorRatioIncrease)})`;
  }
  const slow = f.canary.p95Ms;
  if (slow !== null && slow > s.maxP95Ms && (f.stable.p95Ms === null || slow > f.stable.p95Ms)) {
    return `canary p95 latency ${slow} ms above ${s.maxP95Ms} ms (stable ${f.stable.p95Ms === null ? 'n/a' : `${f.stable.p95Ms} ms`})`;
  }
  return null;
}

/** The figures as one line, for the deployment's message and the canary phase. */
export function describeCanaryFigures(f: CanaryFigures): string {
  const one = (v: VersionFigures) =>
    `${v.requests} requests, 5xx ${v.errors} (${v.requests > 0 ? percent(v.errors / v.requests) : 'n/a'}), p95 ${v.p95Ms === null ? 'n/a' : `${v.p95Ms} ms`}`;
  return `canary ${one(f.canary)}; stable ${one(f.stable)}`;
}

/** Where a running canary is: the answer of its query and of its updates. */
export interface CanaryState {
  /** 1-based index of the current step in `weights`. */
  step: number;
  weights: number[];
  /** The canary's share of traffic now, in percent. */
  weight: number;
  paused: boolean;
  /** Milliseconds left in the current step (frozen while paused). */
  remainingMs: number;
  outcome: 'running' | 'promoting' | 'aborted';
  /** Why it was aborted (the analysis's verdict or the user's reason). */
  reason: string | null;
  /** The last analysis of the current step. */
  figures: string | null;
}

export type CanaryAction = 'promote' | 'pause' | 'resume' | 'abort';

/** Why an action is refused in this state, or null when it applies. */
export function refuseCanaryAction(state: CanaryState, action: CanaryAction): string | null {
  if (state.outcome !== 'running') return `the canary is already ${state.outcome === 'aborted' ? 'aborted' : 'being promoted'}`;
  if (action === 'pause' && state.paused) return 'the canary is already paused';
  if (action === 'resume' && !state.paused) return 'the canary is not paused';
  return null;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
