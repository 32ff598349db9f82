// Which strategy a deploy moves traffic with: the one the deploy names, else its environment's
// `strategy` setting (inherited through the parent chain), else — as before that setting
// existed — canary when the environment has canary settings, all at once otherwise. Decided
// here for the API, the triggers that build deploy requests and the unit test.
import { appKindRunsBlueGreen } from './blue-green.js';
import { appKindRunsCanary, resolveCanary, type CanaryOverrides, type CanarySettings, type ReleaseStrategy } from './canary.js';

export const RELEASE_STRATEGIES = ['all-at-once', 'canary', 'blue-green'] as const satisfies readonly ReleaseStrategy[];

/** Whether deploys of apps of `kind` can move traffic this way (all at once: every kind). */
export function appKindRunsStrategy(kind: string, strategy: ReleaseStrategy): boolean {
  if (strategy === 'canary') return appKindRunsCanary(kind);
  if (strategy === 'blue-green') return appKindRunsBlueGreen(kind);
  return true;
}

/** The strategy an environment's deploys take when they name none. */
export function environmentStrategy(setting: ReleaseStrategy | null | undefined, canary: CanaryOverrides | null | undefined): ReleaseStrategy {
  return setting ?? (canary ? 'canary' : 'all-at-once');
}

/** What a deploy request carries of its strategy (blueGreen only when true, as requests had it). */
export interface RequestStrategy {
  canary: CanarySettings | null;
  blueGreen?: true | undefined;
}

/**
 * The strategy part of a deploy request. A kind that cannot run the environment's strategy
 * deploys all at once (the API refuses such a setting; a parent's could not differ in kind).
 */
export function requestStrategy(
  kind: string,
  environment: { strategy?: ReleaseStrategy | null | undefined; canary?: CanaryOverrides | null | undefined },
  deploy?: { strategy?: ReleaseStrategy | undefined; canary?: CanaryOverrides | undefined },
): RequestStrategy {
  const named = deploy?.strategy ?? (deploy?.canary ? 'canary' : undefined);
  const strategy = named ?? environmentStrategy(environment.strategy, environment.canary);
  if (!appKindRunsStrategy(kind, strategy)) return { canary: null };
  if (strategy === 'blue-green') return { canary: null, blueGreen: true };
  if (strategy === 'canary') return { canary: resolveCanary(environment.canary, { strategy: 'canary', canary: deploy?.canary }) };
  return { canary: null };
}
