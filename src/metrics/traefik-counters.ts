// Traefik's per-service Prometheus metrics (enabled in Berth's static configuration, served on
// the API's entrypoint at /metrics): how many answers a service gave, how many were 5xx, and
// its latency histogram. Counters only grow, so the watch reads a baseline at its start and
// judges the difference: what the service answered since the switch, i.e. the new release's.

/** One service's counters at one moment. */
export interface ServiceCounters {
  requests: number;
  errors: number;
  /** Cumulative latency histogram: bucket upper bound in seconds → answers at or below it. */
  buckets: Map<number, number>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The counters of `service` (e.g. berth-env_x@file) in a Prometheus text exposition. */
export function serviceCounters(text: string, service: string): ServiceCounters {
  const counters: ServiceCounters = { requests: 0, errors: 0, buckets: new Map() };
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, name, rawLabels, rawValue] = m as unknown as [string, string, string, string];
    if (!name.startsWith('traefik_service_')) continue;
    const labels = new Map([...rawLabels.matchAll(LABEL)].map((l) => [l[1] as string, l[2] as string]));
    if (labels.get('service') !== service) continue;
    const value = Number(rawValue);
    if (!Number.isFinite(value)) continue;
    if (name === 'traefik_service_requests_total') {
      counters.requests += value;
      if ((labels.get('code') ?? '').startsWith('5')) counters.errors += value;
    } else if (name === 'traefik_service_request_duration_seconds_bucket') {
      const le = Number(labels.get('le') === '+Inf' ? Infinity : labels.get('le'));
      counters.buckets.set(le, (counters.buckets.get(le) ?? 0) + value);
    }
  }
  return counters;
}

/** The counters of every berth-…@file service at once (one parse for all environments). */
export function allServiceCounters(text: string): Map<string, ServiceCounters> {
  const services = new Set<string>();
  for (const m of text.matchAll(/service="(berth-[^"]+@file)"/g)) services.add(m[1] as string);
  return new Map([...services].map((s) => [s, serviceCounters(text, s)]));
}

/** What happened between two readings. */
export function countersSince(now: ServiceCounters, before: ServiceCounters): ServiceCounters {
  const buckets = new Map<number, number>();
  for (const [le, n] of now.buckets) buckets.set(le, n - (before.buckets.get(le) ?? 0));
  return { requests: now.requests - before.requests, errors: now.errors - before.errors, buckets };
}

/** Upper bound (ms) of the bucket holding the 95th percentile; null without answers. */
export function p95Ms(c: ServiceCounters): number | null {
  const sorted = [...c.buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const bucket = sorted.find(([, n]) => n >= total * 0.95);
  if (!bucket) return null;
  // Beyond the largest bound: at least that slow, which is what a threshold needs to know.
  const bound = Number.isFinite(bucket[0]) ? bucket[0] : Math.max(...sorted.map(([le]) => le).filter(Number.isFinite));
  return Number.isFinite(bound) ? Math.round(bound * 1000) : null;
}

/** Traefik's metrics text; null when they are not reachable. */
export async function readTraefikMetrics(apiUrl: string): Promise<string | null> {
  try {
    const res = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

/** Reads Traefik's metrics; null when they are not reachable (not enabled, or another Traefik). */
export async function readServiceCounters(apiUrl: string, service: string, signal: AbortSignal): Promise<ServiceCounters | null> {
  try {
    const res = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) });
    if (!res.ok) return null;
    return serviceCounters(await res.text(), service);
  } catch {
    if (signal.aborted) throw signal.reason;
    return null;
  }
}

/** Several services' counters as one (a stack's exposed services, watched together). */
export function sumCounters(list: ServiceCounters[]): ServiceCounters {
  const buckets = new Map<number, number>();
  for (const c of list) for (const [le, n] of c.buckets) buckets.set(le, (buckets.get(le) ?? 0) + n);
  return { requests: list.reduce((n, c) => n + c.requests, 0), errors: list.reduce((n, c) => n + c.errors, 0), buckets };
}
