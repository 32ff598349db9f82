// The post-switch watch's policy (src/domain/post-switch-watch.ts) and the reading of Traefik's
// metrics it judges by (activities/router/traefik-metrics.ts), without a server.
import { expect, test } from 'vitest';
import { countersSince, p95Ms, serviceCounters, sumCounters } from '../../activities/router/traefik-metrics.js';
import { DEFAULT_WATCH, MIN_REQUESTS, resolveWatch, watchVerdict, type WatchFigures } from '../../src/domain/post-switch-watch.js';

const quiet: WatchFigures = { source: 'traefik', requests: 0, errors: 0, p95Ms: null, probes: 10, failedProbes: 0, failingInARow: 0, lastProbeFailure: null };

test('the environment’s own settings win over the installation’s, which win over the defaults', () => {
  expect(resolveWatch(null, 12)).toEqual({ ...DEFAULT_WATCH, seconds: 12 });
  expect(resolveWatch({ maxP95Ms: 300 }, 12)).toEqual({ ...DEFAULT_WATCH, seconds: 12, maxP95Ms: 300 });
  expect(resolveWatch({ seconds: 0 }, 12).seconds).toBe(0);
});

test('the verdict: failed probes in a row, then the 5xx ratio and p95 once there are enough answers', () => {
  expect(watchVerdict(quiet, DEFAULT_WATCH)).toBeNull();
  expect(watchVerdict({ ...quiet, failingInARow: 2, failedProbes: 5 }, DEFAULT_WATCH)).toBeNull();
  expect(watchVerdict({ ...quiet, failingInARow: 3, lastProbeFailure: '/healthz HTTP 404' }, DEFAULT_WATCH)).toBe('3 health probes failed in a row (/healthz HTTP 404)');
  // Too few answers to judge a ratio: one 5xx of two is not a verdict.
  expect(watchVerdict({ ...quiet, requests: MIN_REQUESTS - 1, errors: MIN_REQUESTS - 1 }, DEFAULT_WATCH)).toBeNull();
  expect(watchVerdict({ ...quiet, requests: 100, errors: 5 }, DEFAULT_WATCH)).toBeNull();
  expect(watchVerdict({ ...quiet, requests: 100, errors: 6 }, DEFAULT_WATCH)).toBe('5xx ratio 6.0 % above 5.0 %');
  expect(watchVerdict({ ...quiet, requests: 100, p95Ms: 2500 }, DEFAULT_WATCH)).toBe('p95 latency 2500 ms above 2000 ms');
});

const exposition = (ok: number, bad: number, fast: number, slow: number) => `
# HELP traefik_service_requests_total How many HTTP requests processed on a service, partitioned by status code, protocol, and method.
traefik_service_requests_total{code="200",method="GET",protocol="http",service="berth-env_a@file"} ${ok}
traefik_service_requests_total{code="503",method="GET",protocol="http",service="berth-env_a@file"} ${bad}
traefik_service_requests_total{code="200",method="GET",protocol="http",service="berth-env_b@file"} 999
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="berth-env_a@file",le="0.05"} ${fast}
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="berth-env_a@file",le="1"} ${fast + slow}
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="berth-env_a@file",le="+Inf"} ${fast + slow}
`;

test('a service’s counters, what changed since a baseline, and the p95 bucket', () => {
  const before = serviceCounters(exposition(10, 0, 10, 0), 'berth-env_a@file');
  expect(before).toMatchObject({ requests: 10, errors: 0 });
  const now = serviceCounters(exposition(110, 10, 100, 10), 'berth-env_a@file');
  const since = countersSince(now, before);
  expect(since).toMatchObject({ requests: 110, errors: 10 });
  // 90 fast and 10 slow answers since the baseline: the 95th is among the slow ones (≤ 1 s).
  expect(p95Ms(since)).toBe(1000);
  expect(p95Ms(countersSince(before, before))).toBeNull();
  expect(serviceCounters(exposition(1, 1, 1, 1), 'berth-env_c@file').requests).toBe(0);
});

test('a stack’s services watched together: their counters and buckets summed', () => {
  const a = { requests: 10, errors: 1, buckets: new Map([[0.01, 8], [0.1, 10], [Infinity, 10]]) };
  const b = { requests: 30, errors: 0, buckets: new Map([[0.01, 2], [0.1, 29], [Infinity, 30]]) };
  const sum = sumCounters([a, b]);
  expect(sum).toEqual({ requests: 40, errors: 1, buckets: new Map([[0.01, 10], [0.1, 39], [Infinity, 40]]) });
  expect(p95Ms(sum)).toBe(100);
  expect(sumCounters([])).toEqual({ requests: 0, errors: 0, buckets: new Map() });
});
