// Traefik's per-service counters, read by the post-switch watch: shared with the worker's
// environment samples, so they live in src/metrics/traefik-counters.ts.
export * from '../../src/metrics/traefik-counters.js';
