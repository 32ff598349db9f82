import { describe, expect, test } from 'vitest';
import { environmentHosts, parseRouteConfig, routeName, traefikRouteConfig } from '../../src/domain/route.js';
import type { Json } from '../support/json.js';

describe('route configuration', () => {
  const route = { environmentId: 'env_abc', deploymentId: 'dep_1', hosts: ['web.prod.localhost', 'www.example.com'], servers: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] };

  test('one router for every host, one service with a server per replica', () => {
    const config = traefikRouteConfig(route) as Json;
    const name = routeName('env_abc');
    expect(config.http.routers[name]).toEqual({
      rule: 'Host(`web.prod.localhost`) || Host(`www.example.com`)',
      service: name,
      entryPoints: ['web'],
      middlewares: [name],
    });
    expect(config.http.middlewares[name].headers.customResponseHeaders).toEqual({ 'X-Berth-Deployment': 'dep_1' });
    expect(config.http.services[name].loadBalancer.servers).toEqual([{ url: 'http://127.0.0.1:1' }, { url: 'http://127.0.0.1:2' }]);
  });

  test('a written file reads back as the same route; anything else reads as none', () => {
    expect(parseRouteConfig('env_abc', JSON.stringify(traefikRouteConfig(route)))).toEqual(route);
    expect(parseRouteConfig('env_abc', 'not json')).toBeNull();
    expect(parseRouteConfig('env_other', JSON.stringify(traefikRouteConfig(route)))).toBeNull();
  });

  test('hosts: the derived name first, extra domains after, no duplicates', () => {
    expect(environmentHosts('web', 'prod', 'localhost', ['a.com', 'web.prod.localhost'])).toEqual(['web.prod.localhost', 'a.com']);
  });
});
