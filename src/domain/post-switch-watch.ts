// The post-switch watch: after a deploy's traffic switch, the new release is watched for a while
// (health probes of its replicas, its share of 5xx answers and its p95 latency) while the
// previous release still runs; crossing a threshold switches traffic back. Policy as data:
// the settings, their defaults, and the verdict, decided here and unit-tested.

export interface WatchSettings {
  /** How long the watch lasts; 0 turns it off. */
  seconds: number;
  /** Share of the new release's answers that may be 5xx (0–1), once it has MIN_REQUESTS answers. */
  maxErrorRatio: number;
  /** p95 latency the new release may have, in milliseconds. */
  maxP95Ms: number;
  /** Failed health probes in a row (of any replica) that end the watch. */
  failedProbes: number;
}

/** An environment's own overrides; what it does not set comes from the installation's defaults. */
export type WatchOverrides = Partial<WatchSettings>;

/** Default length of the watch (BERTH_WATCH_SECONDS overrides it for an installation). */
export const DEFAULT_WATCH_SECONDS = 30;

export const DEFAULT_WATCH: WatchSettings = { seconds: DEFAULT_WATCH_SECONDS, maxErrorRatio: 0.05, maxP95Ms: 2000, failedProbes: 3 };

/** Answers below this count say too little for a ratio or a p95. */
export const MIN_REQUESTS = 20;

/** The settings a deploy uses. */
export function resolveWatch(overrides: WatchOverrides | null | undefined, installationSeconds: number = DEFAULT_WATCH_SECONDS): WatchSettings {
  return { ...DEFAULT_WATCH, seconds: installationSeconds, ...(overrides ?? {}) };
}

/** What the watch has seen of the new release so far. */
export interface WatchFigures {
  /** Where the request figures come from: Traefik's per-service metrics, or Berth's own probes when those are not reachable. */
  source: 'traefik' | 'probes';
  requests: number;
  errors: number;
  /** Upper bound of the latency bucket holding the 95th percentile (Traefik), or the probes' own p95; null without answers. */
  p95Ms: number | null;
  probes: number;
  failedProbes: number;
  /** Failed probes in a row at the moment, and the last failure's reason. */
  failingInARow: number;
  lastProbeFailure: string | null;
}

/** Why the watch ends the release, or null while it holds. */
export function watchVerdict(f: WatchFigures, s: WatchSettings): string | null {
  if (f.failingInARow >= s.failedProbes) return `${f.failingInARow} health probes failed in a row (${f.lastProbeFailure ?? 'no answer'})`;
  if (f.requests >= MIN_REQUESTS) {
    if (f.errors / f.requests > s.maxErrorRatio) return `5xx ratio ${percent(f.errors / f.requests)} above ${percent(s.maxErrorRatio)}`;
    if (f.p95Ms !== null && f.p95Ms > s.maxP95Ms) return `p95 latency ${f.p95Ms} ms above ${s.maxP95Ms} ms`;
  }
  return null;
}

/** The figures as one line, for the deployment's message and the watch phase. */
export function describeFigures(f: WatchFigures): string {
  const ratio = f.requests > 0 ? percent(f.errors / f.requests) : 'n/a';
  const p95 = f.p95Ms === null ? 'n/a' : `${f.p95Ms} ms`;
  return `${f.source === 'traefik' ? "Traefik's metrics" : "Berth's probes"}: ${f.requests} requests, 5xx ${f.errors} (${ratio}), p95 ${p95}; health probes ${f.probes}, failed ${f.failedProbes}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
