import { describe, expect, test } from 'vitest';
import { certifiable, DEFAULT_HTTPS, routeTls, serviceTls, wwwPairs } from '../../src/domain/https.js';
import { parseRouteConfig, routeName, traefikRouteConfig, type RouteSpec } from '../../src/domain/route.js';
import { hostRule, ruleHosts } from '../../src/domain/route-tls.js';

/** The parts of a written route file these tests read. */
interface RouteFile {
  http: {
    routers: Record<string, { rule: string; tls?: object }>;
    middlewares: Record<string, { headers?: object; redirectRegex?: { regex: string; replacement: string }; redirectScheme?: object }>;
  };
}
const file = (route: RouteSpec) => traefikRouteConfig(route) as RouteFile;

const hosts = ['web.prod.localhost', 'example.com', 'www.example.com'];
const auto = { ...DEFAULT_HTTPS, mode: 'auto' as const };

describe('which hosts get certificates', () => {
  test('loopback names and addresses stay plain HTTP', () => {
    expect(['localhost', 'web.prod.localhost', '127.0.0.1', '::1'].filter(certifiable)).toEqual([]);
    expect(certifiable('shop.example.com')).toBe(true);
  });

  test('off, or nothing certifiable: no TLS on the route', () => {
    expect(routeTls(DEFAULT_HTTPS, hosts, 443)).toBeUndefined();
    expect(routeTls(auto, ['web.prod.localhost'], 443)).toBeUndefined();
  });

  test('auto: the resolver of the challenge; 443 is no port in redirects; the www setting only where a pair exists', () => {
    expect(routeTls({ ...auto, challenge: 'tls-alpn-01', www: 'to-apex' }, hosts, 443)).toEqual({
      mode: 'auto',
      resolver: 'berth-tlsalpn',
      certHosts: ['example.com', 'www.example.com'],
      redirect: true,
      hsts: null,
      www: 'to-apex',
      httpsPort: null,
    });
    expect(routeTls({ ...auto, www: 'to-www' }, ['a.com'], 8443)).toMatchObject({ www: 'none', httpsPort: 8443 });
    expect(routeTls({ ...auto, redirect: false }, ['a.com'], 8443)).toMatchObject({ httpsPort: null });
    expect(wwwPairs(hosts)).toEqual(['example.com']);
  });
});

describe('stack services', () => {
  test("an exposed service orders certificates for its own names under the environment's ACME settings", () => {
    const envTls = routeTls({ ...auto, www: 'to-apex' }, hosts, 443);
    expect(serviceTls(envTls, ['api.web.prod.localhost', 'api.example.com'])).toMatchObject({ resolver: 'berth-http', certHosts: ['api.example.com'], www: 'none' });
    expect(serviceTls(envTls, ['api.web.prod.localhost'])).toBeUndefined();
  });

  test("with an uploaded certificate, only the service answering on the environment's names serves it", () => {
    const custom = routeTls({ ...DEFAULT_HTTPS, mode: 'custom' }, hosts, 443);
    expect(serviceTls(custom, ['web.app.prod.example.com', 'example.com'])).toMatchObject({ mode: 'custom', resolver: null, certHosts: ['example.com'] });
    // Another service's own names are not the upload's: plain HTTP, as before.
    expect(serviceTls(custom, ['api.example.com'])).toBeUndefined();
  });
});

describe('route files with HTTPS', () => {
  const route: RouteSpec = {
    environmentId: 'env_abc',
    deploymentId: 'dep_1',
    hosts,
    servers: ['http://127.0.0.1:1'],
    tls: routeTls({ ...auto, hsts: { maxAge: 600, includeSubDomains: true, preload: false }, www: 'to-www' }, hosts, 8443),
  };
  const name = routeName('env_abc');

  test('a router per entrypoint: the plain one keeps every host, the secure one the certified hosts, one certificate each', () => {
    const config = file(route);
    expect(config.http.routers[name]?.rule).toBe(hostRule(hosts));
    expect(config.http.routers[`${name}-secure`]).toMatchObject({
      entryPoints: ['websecure'],
      tls: { certResolver: 'berth-http', domains: [{ main: 'example.com' }, { main: 'www.example.com' }] },
      middlewares: [name, `${name}-hsts`, `${name}-www`],
    });
    expect(config.http.routers[`${name}-redirect`]).toMatchObject({ entryPoints: ['web'], middlewares: [name, `${name}-www`, `${name}-https`] });
    expect(config.http.middlewares[`${name}-https`]).toEqual({ redirectScheme: { scheme: 'https', permanent: true, port: '8443' } });
    expect(config.http.middlewares[`${name}-hsts`]?.headers).toEqual({ stsSeconds: 600, stsIncludeSubdomains: true, stsPreload: false });
    const www = config.http.middlewares[`${name}-www`]?.redirectRegex as { regex: string; replacement: string };
    expect(new RegExp(www.regex).test('https://example.com:8443/a')).toBe(true);
    expect('https://example.com:8443/a'.replace(new RegExp(www.regex), www.replacement.replace(/\$\{(\d)\}/g, '$$$1'))).toBe('https://www.example.com:8443/a');
  });

  test('reads back the same, TLS included; an uploaded certificate has no resolver', () => {
    expect(parseRouteConfig('env_abc', JSON.stringify(traefikRouteConfig(route)))).toEqual(route);
    const custom = { ...route, tls: routeTls({ ...DEFAULT_HTTPS, mode: 'custom' }, hosts, 443) };
    expect(file(custom).http.routers[`${name}-secure`]?.tls).toEqual({});
    expect(parseRouteConfig('env_abc', JSON.stringify(traefikRouteConfig(custom)))).toEqual(custom);
  });

  test('wildcards become a one-label HostRegexp and read back', () => {
    const rule = hostRule(['*.example.com', 'a.b']);
    expect(rule).toBe('HostRegexp(`^[a-z0-9-]+\\.example\\.com$`) || Host(`a.b`)');
    expect(ruleHosts(rule)).toEqual(['*.example.com', 'a.b']);
  });
});
