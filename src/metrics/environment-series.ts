// The environment page's charts from consecutive samples: each point is what happened between
// two samples (request and 5xx rates, the p95 of the answers given then, CPU cores used) and
// the memory in use at the second. Counters that went down (Traefik or a container restarted)
// start over from zero rather than give a negative rate.
import { countersSince, p95Ms, type ServiceCounters } from './traefik-counters.js';

export interface SampleRow {
  at: Date;
  requests: number;
  errors: number;
  buckets: Record<string, number>;
  cpuSeconds: number;
  memoryBytes: number;
  containers: number;
}

export interface SeriesPoint {
  /** The end of the interval (ms since the epoch). */
  at: number;
  requestsPerSecond: number;
  errorsPerSecond: number;
  /** Upper bound of the bucket holding the 95th percentile of the interval's answers; null without answers. */
  p95Ms: number | null;
  cpuCores: number;
  memoryBytes: number;
}

function counters(r: SampleRow): ServiceCounters {
  return { requests: r.requests, errors: r.errors, buckets: new Map(Object.entries(r.buckets).map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), n])) };
}

/** Traefik's histogram as a sample keeps it (JSON has no Infinity). */
export function bucketsRecord(buckets: Map<number, number>): Record<string, number> {
  return Object.fromEntries([...buckets].map(([le, n]) => [Number.isFinite(le) ? String(le) : '+Inf', n]));
}

export function environmentSeries(rows: SampleRow[]): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1] as SampleRow, rows[i] as SampleRow];
    const seconds = (b.at.getTime() - a.at.getTime()) / 1000;
    if (seconds <= 0) continue;
    const reset = b.requests < a.requests;
    const diff = reset ? counters(b) : countersSince(counters(b), counters(a));
    const cpu = b.cpuSeconds >= a.cpuSeconds ? b.cpuSeconds - a.cpuSeconds : 0;
    points.push({
      at: b.at.getTime(),
      requestsPerSecond: diff.requests / seconds,
      errorsPerSecond: diff.errors / seconds,
      p95Ms: p95Ms(diff),
      cpuCores: cpu / seconds,
      memoryBytes: b.memoryBytes,
    });
  }
  return points;
}
