// Traefik's per-service counters, read by the post-switch watch and the canary's analysis:
// shared with the worker's environment samples, so they live in src/metrics/traefik-counters.ts.
import type { ServiceCounters } from '../../src/metrics/traefik-counters.js';

export * from '../../src/metrics/traefik-counters.js';

/** Counters as they travel through Temporal (JSON has no Infinity: the +Inf bucket is null). */
export interface WireCounters {
  requests: number;
  errors: number;
  buckets: [number | null, number][];
}

export function countersToWire(c: ServiceCounters): WireCounters {
  return { requests: c.requests, errors: c.errors, buckets: [...c.buckets].map(([le, n]) => [Number.isFinite(le) ? le : null, n]) };
}

export function countersFromWire(w: WireCounters): ServiceCounters {
  return { requests: w.requests, errors: w.errors, buckets: new Map(w.buckets.map(([le, n]) => [le ?? Infinity, n])) };
}
