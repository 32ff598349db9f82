import { expect, test } from 'vitest';
import { routeName, traefikRouteConfig } from '../../src/domain/route.js';
import { canaryServiceName } from '../../src/domain/route-split.js';
import { canaryHopServer } from '../../src/domain/static-canary.js';
import { canaryHopPrefix } from '../../src/secrets/static-site-token.js';

const token = 'a'.repeat(64);

test('the hop prefix is a digest of the token and the environment, never the token', () => {
  const prefix = canaryHopPrefix(token, 'env_1');
  expect(prefix).toMatch(/^\/\.berth-release\/[0-9a-f]{32}\/env_1$/);
  expect(prefix).not.toContain(token);
  expect(canaryHopPrefix('b'.repeat(64), 'env_1')).not.toBe(prefix);
  expect(canaryHopPrefix(token, 'env_2')).not.toBe(prefix.replace('env_1', 'env_2'));
  expect(canaryHopServer('http://127.0.0.1:8080/', prefix)).toBe(`http://127.0.0.1:8080${prefix}`);
});

test('a route with a hop answers its prefix first, stripped, with its own request headers', () => {
  const name = routeName('env_1-next');
  const http = (traefikRouteConfig({ environmentId: 'env_1-next', deploymentId: 'dep_2', hosts: ['next.site.test'], servers: ['http://127.0.0.1:9000'], requestHeaders: { 'X-Berth-Site': 'a/b@rel_x' }, hopPrefix: '/.berth-release/k/env_1' }) as { http: Record<string, Record<string, object>> }).http;
  expect(http.routers?.[`${name}-hop`]).toEqual({ rule: 'PathPrefix(`/.berth-release/k/env_1/`)', service: name, entryPoints: ['web'], middlewares: [`${name}-hop`, name], priority: 200_000 });
  expect(http.middlewares?.[`${name}-hop`]).toEqual({ stripPrefix: { prefixes: ['/.berth-release/k/env_1'] } });
  // Without a hop, the route is as before.
  const plain = (traefikRouteConfig({ environmentId: 'env_1', deploymentId: 'dep_1', hosts: ['site.test'], servers: ['http://127.0.0.1:9000'] }) as { http: { routers: object } }).http;
  expect(Object.keys(plain.routers)).toEqual([routeName('env_1')]);
});

test('a canary server with a path keeps it (preservePath); servers without one are written as before', () => {
  const split = { deploymentId: 'dep_2', servers: ['http://127.0.0.1:8080/.berth-release/k/env_1'], weight: 10 };
  const http = (traefikRouteConfig({ environmentId: 'env_1', deploymentId: 'dep_1', hosts: ['site.test'], servers: ['http://127.0.0.1:9000'], split }) as { http: { services: Record<string, { loadBalancer?: { servers: object[] } }> } }).http;
  const name = routeName('env_1');
  expect(http.services[canaryServiceName(name)]?.loadBalancer?.servers).toEqual([{ url: split.servers[0], preservePath: true }]);
  expect(http.services[`${name}-stable`]?.loadBalancer?.servers).toEqual([{ url: 'http://127.0.0.1:9000' }]);
});
