// Settings inheritance: an environment that does not set a setting takes its parent's, up the
// parent chain; what no environment sets comes from the app (replicas, resources, health check)
// or Berth's default. Policy as data, decided here for the API, the deploys and the unit test.
import { DEFAULT_DRAIN_SECONDS, DEFAULT_RETENTION, type HealthCheck, type ResourceLimits } from './app-spec.js';
import type { ReleaseStrategy } from './canary.js';
import type { QueuePolicy } from './deployment.js';
import { inheritedDomainPattern } from './domain-pattern.js';
import { resolveWatch, type WatchOverrides, type WatchSettings } from './post-switch-watch.js';

/** The settings a deploy uses, every one resolved. */
export interface EffectiveSettings {
  retention: number;
  queuePolicy: QueuePolicy;
  cancelSuperseded: boolean;
  drainSeconds: number;
  standbySeconds: number;
  watch: WatchSettings;
  replicas: number;
  resources: ResourceLimits;
  healthCheck: HealthCheck;
  /** The domains pattern (src/domain/domain-pattern.ts); null: none. */
  domainPattern: string | null;
  /** How deploys move traffic unless they name a strategy (src/domain/release-strategy.ts); null: none set in the chain. */
  strategy: ReleaseStrategy | null;
}

export type SettingKey = keyof EffectiveSettings;

/** An environment's own settings as stored: null (or absent) means "not set here". */
export type OwnSettings = { [K in Exclude<SettingKey, 'watch' | 'domainPattern'>]?: EffectiveSettings[K] | null } & {
  watch?: WatchOverrides | null;
  /** "" stops the parent's pattern here; null takes it. */
  domainPattern?: string | null;
};

/** Where an effective setting came from: an environment of the chain (by name), the app, or Berth's default. */
export interface SettingSource {
  level: 'environment' | 'app' | 'default';
  environment: string | null;
}

export const INHERITED_SETTINGS = ['retention', 'queuePolicy', 'cancelSuperseded', 'drainSeconds', 'standbySeconds', 'watch', 'replicas', 'resources', 'healthCheck', 'domainPattern', 'strategy'] as const satisfies readonly SettingKey[];

/** The app's own runtime settings, which environments may override. */
export interface AppSettings {
  replicas: number;
  resources: ResourceLimits;
  healthCheck: HealthCheck;
}

const BERTH_DEFAULTS = { retention: DEFAULT_RETENTION, queuePolicy: 'latest-wins' as QueuePolicy, cancelSuperseded: false, drainSeconds: DEFAULT_DRAIN_SECONDS, standbySeconds: 0 };

/**
 * Resolves `chain` (the environment first, then its parent, its parent's parent …). The watch
 * merges field by field: a child that sets only its length keeps its parent's thresholds.
 */
export function resolveSettings(
  chain: readonly { name: string; own: OwnSettings }[],
  app: AppSettings,
  installationWatchSeconds?: number,
): { settings: EffectiveSettings; sources: Record<SettingKey, SettingSource> } {
  const sources = {} as Record<SettingKey, SettingSource>;
  const pick = <K extends Exclude<SettingKey, 'watch' | 'domainPattern'>>(key: K, fallback: EffectiveSettings[K], level: 'app' | 'default'): EffectiveSettings[K] => {
    for (const env of chain) {
      const v = env.own[key];
      if (v !== null && v !== undefined) {
        sources[key] = { level: 'environment', environment: env.name };
        return v as EffectiveSettings[K];
      }
    }
    sources[key] = { level, environment: null };
    return fallback;
  };
  // Lowest first, so that nearer environments' fields win.
  let watch: WatchOverrides = {};
  sources.watch = { level: 'default', environment: null };
  for (const env of [...chain].reverse()) {
    if (env.own.watch && Object.keys(env.own.watch).length > 0) {
      watch = { ...watch, ...env.own.watch };
      sources.watch = { level: 'environment', environment: env.name };
    }
  }
  const settings: EffectiveSettings = {
    retention: pick('retention', BERTH_DEFAULTS.retention, 'default'),
    queuePolicy: pick('queuePolicy', BERTH_DEFAULTS.queuePolicy, 'default'),
    cancelSuperseded: pick('cancelSuperseded', BERTH_DEFAULTS.cancelSuperseded, 'default'),
    drainSeconds: pick('drainSeconds', BERTH_DEFAULTS.drainSeconds, 'default'),
    standbySeconds: pick('standbySeconds', BERTH_DEFAULTS.standbySeconds, 'default'),
    watch: resolveWatch(watch, installationWatchSeconds),
    replicas: pick('replicas', app.replicas, 'app'),
    resources: pick('resources', app.resources, 'app'),
    healthCheck: pick('healthCheck', app.healthCheck, 'app'),
    domainPattern: inheritedDomainPattern(chain.map((e) => ({ domainPattern: e.own.domainPattern ?? null }))),
    strategy: pick('strategy', null, 'default'),
  };
  const patternFrom = chain.find((e) => e.own.domainPattern !== null && e.own.domainPattern !== undefined);
  sources.domainPattern = { level: patternFrom ? 'environment' : 'default', environment: patternFrom?.name ?? null };
  return { settings, sources };
}

/** The runtime settings a release records (ReleaseConfig's share of the effective settings). */
export function pickRuntime(s: EffectiveSettings): AppSettings {
  return { replicas: s.replicas, resources: s.resources, healthCheck: s.healthCheck };
}
