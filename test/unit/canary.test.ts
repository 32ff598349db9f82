// The canary's policy (src/domain/canary.ts) and its part of the route file (route-split.ts),
// without a server: which settings a deploy runs, the plan of weights, the analysis's verdict,
// which actions apply, and the Traefik file that reads back the same way.
import { expect, test } from 'vitest';
import { countersFromWire, countersToWire, serviceCounters } from '../../activities/router/traefik-metrics.js';
import { canaryPlan, canaryVerdict, DEFAULT_CANARY, refuseCanaryAction, resolveCanary, type CanaryState } from '../../src/domain/canary.js';
import { MIN_REQUESTS } from '../../src/domain/post-switch-watch.js';
import { parseRouteConfig, routeName, traefikRouteConfig, withoutSplit, type RouteSpec } from '../../src/domain/route.js';
import { splitMatchRule, stickyCookieName } from '../../src/domain/route-split.js';

test('the environment decides the strategy; a deploy may choose its own and override settings', () => {
  expect(resolveCanary(null)).toBeNull();
  expect(resolveCanary({})).toEqual(DEFAULT_CANARY);
  expect(resolveCanary({ stepSeconds: 5 })).toEqual({ ...DEFAULT_CANARY, stepSeconds: 5 });
  expect(resolveCanary({ stepSeconds: 5 }, { strategy: 'all-at-once' })).toBeNull();
  expect(resolveCanary(null, { strategy: 'canary' })).toEqual(DEFAULT_CANARY);
  expect(resolveCanary(null, { canary: { steps: [10, 50] } })).toEqual({ ...DEFAULT_CANARY, steps: [10, 50] });
  expect(resolveCanary({ stepSeconds: 5, steps: [1] }, { canary: { steps: [10, 50] } })).toEqual({ ...DEFAULT_CANARY, stepSeconds: 5, steps: [10, 50] });
});

test('the plan: the weights between 0 and 100, after a 0 % step when a header or cookie lets testers in', () => {
  expect(canaryPlan(DEFAULT_CANARY)).toEqual([5, 25, 50]);
  expect(canaryPlan({ ...DEFAULT_CANARY, steps: [0, 10, 100] })).toEqual([10]);
  expect(canaryPlan({ ...DEFAULT_CANARY, header: { name: 'X-Canary', value: '1' } })).toEqual([0, 5, 25, 50]);
  expect(canaryPlan({ ...DEFAULT_CANARY, steps: [], cookie: { name: 'beta', value: 'yes' } })).toEqual([0]);
});

const figures = (canary: [number, number, number | null], stable: [number, number, number | null]) => ({
  canary: { requests: canary[0], errors: canary[1], p95Ms: canary[2] },
  stable: { requests: stable[0], errors: stable[1], p95Ms: stable[2] },
});

test('the verdict compares the canary with the stable release, once the canary has enough answers', () => {
  // 20 % errors, but too few answers to say.
  expect(canaryVerdict(figures([MIN_REQUESTS - 1, 4, 100], [500, 0, 100]), DEFAULT_CANARY)).toBeNull();
  expect(canaryVerdict(figures([100, 20, 100], [500, 0, 100]), DEFAULT_CANARY)).toBe('canary 5xx ratio 20.0 % against 0.0 % for stable (more than +5.0 %)');
  // A stable release failing as much: the canary is no worse.
  expect(canaryVerdict(figures([100, 20, 100], [500, 90, 100]), DEFAULT_CANARY)).toBeNull();
  // Just at the allowed increase holds; above it does not.
  expect(canaryVerdict(figures([100, 5, 100], [500, 0, 100]), DEFAULT_CANARY)).toBeNull();
  expect(canaryVerdict(figures([100, 6, 100], [500, 0, 100]), DEFAULT_CANARY)).toMatch(/^canary 5xx ratio 6\.0 %/);
  // A stable release with too few answers counts as error-free.
  expect(canaryVerdict(figures([100, 6, 100], [10, 10, 100]), DEFAULT_CANARY)).toMatch(/^canary 5xx ratio/);
  // Slow: above the bound and slower than stable; not when stable is as slow.
  expect(canaryVerdict(figures([100, 0, 5000], [500, 0, 100]), DEFAULT_CANARY)).toBe('canary p95 latency 5000 ms above 2000 ms (stable 100 ms)');
  expect(canaryVerdict(figures([100, 0, 5000], [500, 0, 5000]), DEFAULT_CANARY)).toBeNull();
  expect(canaryVerdict(figures([100, 0, 1200], [500, 0, 100]), DEFAULT_CANARY)).toBeNull();
});

test('actions apply only where they make sense', () => {
  const state: CanaryState = { step: 1, weights: [5], weight: 5, paused: false, remainingMs: 1, outcome: 'running', reason: null, figures: null };
  expect(refuseCanaryAction(state, 'pause')).toBeNull();
  expect(refuseCanaryAction(state, 'resume')).toBe('the canary is not paused');
  expect(refuseCanaryAction({ ...state, paused: true }, 'pause')).toBe('the canary is already paused');
  expect(refuseCanaryAction({ ...state, paused: true }, 'promote')).toBeNull();
  expect(refuseCanaryAction({ ...state, outcome: 'aborted' }, 'promote')).toBe('the canary is already aborted');
  expect(refuseCanaryAction({ ...state, outcome: 'promoting' }, 'abort')).toBe('the canary is already being promoted');
});

const stable: RouteSpec = { environmentId: 'env_a', deploymentId: 'dep_1', hosts: ['a.prod.example.test'], servers: ['http://127.0.0.1:1000'] };

test('a split route: a weighted service over two of their own, sticky, and reads back as the stable route with its split', () => {
  const route = { ...stable, split: { deploymentId: 'dep_2', servers: ['http://127.0.0.1:2000'], weight: 25, header: { name: 'X-Canary', value: 'yes' } } };
  const name = routeName('env_a');
  const config = traefikRouteConfig(route) as { http: { routers: Record<string, { rule: string; service: string; priority?: number }>; services: Record<string, unknown> } };
  expect(config.http.services[name]).toEqual({
    weighted: {
      services: [
        { name: `${name}-stable`, weight: 75 },
        { name: `${name}-canary`, weight: 25 },
      ],
      sticky: { cookie: { name: stickyCookieName(name), httpOnly: true, sameSite: 'lax' } },
    },
  });
  expect(config.http.services[`${name}-canary`]).toEqual({ loadBalancer: { passHostHeader: true, servers: [{ url: 'http://127.0.0.1:2000' }] } });
  expect(config.http.routers[`${name}-canary`]).toMatchObject({ rule: '(Host(`a.prod.example.test`)) && (Header(`X-Canary`, `yes`))', service: `${name}-canary`, priority: 50_000 });
  const back = parseRouteConfig('env_a', JSON.stringify(config));
  expect(back).toEqual({ ...stable, split: { deploymentId: 'dep_2', servers: ['http://127.0.0.1:2000'], weight: 25 } });
  expect(withoutSplit(back as RouteSpec)).toEqual(stable);
  // At 0 % the canary is out of the rotation; only its header router reaches it.
  const zero = traefikRouteConfig({ ...route, split: { ...route.split, weight: 0 } }) as { http: { services: Record<string, { weighted?: { services: unknown[] } }> } };
  expect(zero.http.services[name]?.weighted?.services).toEqual([{ name: `${name}-stable`, weight: 100 }]);
});

test('the split rule: a header, or a cookie among the others', () => {
  expect(splitMatchRule({})).toBeNull();
  expect(splitMatchRule({ cookie: { name: 'beta', value: 'on.1' } })).toBe('HeaderRegexp(`Cookie`, `(^|;\\s*)beta=on\\.1(;|$)`)');
  expect(splitMatchRule({ header: { name: 'X-B', value: '1' }, cookie: { name: 'b', value: '2' } })).toMatch(/^Header\(`X-B`, `1`\) \|\| HeaderRegexp/);
});

test('counters travel through Temporal and come back the same (the +Inf bucket included)', () => {
  const text = [
    'traefik_service_requests_total{code="200",method="GET",protocol="http",service="s@file"} 7',
    'traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="s@file",le="0.1"} 6',
    'traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="s@file",le="+Inf"} 7',
  ].join('\n');
  const counters = serviceCounters(text, 's@file');
  const wire = JSON.parse(JSON.stringify(countersToWire(counters)));
  expect(countersFromWire(wire)).toEqual(counters);
});
