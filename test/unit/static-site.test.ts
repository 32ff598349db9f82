import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  cacheControlFor,
  DEFAULT_STATIC_SETTINGS,
  IMMUTABLE_CACHE,
  releaseSiteKey,
  REVALIDATE_CACHE,
  siteRequestHeaders,
  SITE_PAGE_PATH,
  SITE_RELEASE_ID,
  withSiteToken,
} from '../../src/domain/static-site.js';
import { KeyRing } from '../../src/secrets/key-ring.js';
import { staticSiteToken } from '../../src/secrets/static-site-token.js';
import { parseRouteConfig, traefikRouteConfig } from '../../src/domain/route.js';
import { releaseIdFor } from '../../src/domain/ids.js';
import { nginxConfig } from '../../src/services/static-server.js';
import type { Json } from '../support/json.js';

const TOKEN = staticSiteToken(randomBytes(32));

describe('fingerprinted assets', () => {
  test.each([
    '/assets/app.3f2a1b9c.js',
    '/assets/index-BxQ3kZaA.js',
    '/static/css/main.0a1b2c3d4e.css',
    '/img/logo.abcdef12.png',
    '/_next/static/chunks/main.js',
    '/fonts/inter.5f8a9b0c.woff2',
  ])('%s is immutable', (path) => expect(cacheControlFor(path)).toBe(IMMUTABLE_CACHE));

  test.each(['/', '/index.html', '/app.3f2a1b9c.html', '/app.settings.js', '/assets/vendor.js', '/logo.png', '/robots.txt', '/a.3f2a1b.js'])(
    '%s is revalidated',
    (path) => expect(cacheControlFor(path)).toBe(REVALIDATE_CACHE),
  );
});

describe('page paths for the 404 setting', () => {
  test.each(['/404.html', '/errors/not-found.html', '/a_b~c-d.htm'])('%s is allowed', (p) => expect(SITE_PAGE_PATH.test(p)).toBe(true));
  test.each(['404.html', '/../x', '/a/./b', '/.env', '/a/.hidden/b', '/a b', '/a%2e', '//x', ''])('%s is refused', (p) =>
    expect(SITE_PAGE_PATH.test(p)).toBe(false),
  );
});

describe('site headers on the route', () => {
  test('every header is always set, so a client can never supply one', () => {
    expect(siteRequestHeaders('web', 'prod', { spa: false, notFoundPage: null }, TOKEN)).toEqual({
      'X-Berth-Site-Token': TOKEN,
      'X-Berth-Site': 'web/prod',
      'X-Berth-Spa': '',
      'X-Berth-Not-Found': '',
    });
    expect(siteRequestHeaders('web', 'prod', { spa: true, notFoundPage: '/404.html' }, TOKEN)['X-Berth-Spa']).toBe('1');
  });

  test('a route with request headers reads back the same', () => {
    const route = {
      environmentId: 'env_abc',
      deploymentId: 'dep_1',
      hosts: ['web.prod.localhost'],
      servers: ['http://127.0.0.1:7483'],
      requestHeaders: siteRequestHeaders('web', 'prod', { spa: true, notFoundPage: '/404.html' }, TOKEN),
    };
    const config = traefikRouteConfig(route) as Json;
    expect(config.http.middlewares['berth-env_abc'].headers.customRequestHeaders['X-Berth-Site']).toBe('web/prod');
    expect(config.http.middlewares['berth-env_abc'].headers.customRequestHeaders['X-Berth-Site-Token']).toBe(TOKEN);
    expect(parseRouteConfig('env_abc', JSON.stringify(config))).toEqual(route);
  });

  test('a route saved before the site token gets it when put back; its other headers stay', () => {
    const { 'X-Berth-Site-Token': _token, ...old } = siteRequestHeaders('web', 'prod', DEFAULT_STATIC_SETTINGS, TOKEN);
    const route = { environmentId: 'env_abc', requestHeaders: old };
    expect(withSiteToken(route, TOKEN).requestHeaders).toEqual(siteRequestHeaders('web', 'prod', DEFAULT_STATIC_SETTINGS, TOKEN));
    expect(JSON.stringify(withSiteToken(route, TOKEN).requestHeaders)).toBe(JSON.stringify(siteRequestHeaders('web', 'prod', DEFAULT_STATIC_SETTINGS, TOKEN)));
    const image: { environmentId: string; requestHeaders?: Record<string, string> } = { environmentId: 'env_img' };
    expect(withSiteToken(image, TOKEN)).toBe(image);
  });

  test('the token is an HMAC of the master key: the same for the same key, another for another, never the key', () => {
    const key = randomBytes(32);
    expect(staticSiteToken(key)).toBe(staticSiteToken(Buffer.from(key)));
    expect(staticSiteToken(key)).toBe(staticSiteToken(new KeyRing(key)));
    expect(staticSiteToken(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(staticSiteToken(randomBytes(32))).not.toBe(staticSiteToken(key));
    expect(staticSiteToken(key)).not.toContain(key.toString('hex'));
  });
});

describe('nginx configuration', () => {
  const text = nginxConfig({ dir: '/srv/berth/static-server', staticDir: '/srv/berth/static', port: 7483, token: TOKEN });
  test('listens on loopback only and serves through each site’s current link, or one release for a preview', () => {
    expect([...text.matchAll(/listen ([^;]+);/g)].map((m) => m[1])).toEqual(['127.0.0.1:7483 default_server', '127.0.0.1:7483']);
    expect(text).toContain('root /srv/berth/static/$berth_site;');
    expect(text).toContain('"$1/$2/current";');
    expect(text).toContain('"$1/$2/releases/$3";');
    expect(releaseSiteKey('web', 'prod', releaseIdFor('dep_0mx1ysx3ss1tlrnx58b'))).toMatch(new RegExp(`^[a-z-]+/[a-z-]+@${SITE_RELEASE_ID}$`));
    expect(text).toContain('autoindex off;');
    expect(text).not.toMatch(/open_file_cache\s+max/);
  });
  test('on a host serving its own sites, it listens on that host’s private address only', () => {
    const onHost = nginxConfig({ dir: '/d', staticDir: '/s', port: 7483, address: '10.0.0.12', token: TOKEN });
    expect([...onHost.matchAll(/listen ([^;]+);/g)].map((m) => m[1])).toEqual(['10.0.0.12:7483 default_server', '10.0.0.12:7483']);
  });
  test('the site header counts only beside the site token', () => {
    expect(text).toContain(`map $http_x_berth_site_token $berth_site_key {\n    "~^${TOKEN}$" $http_x_berth_site;\n    default "";`);
    expect(text).toContain('map $berth_site_key $berth_site {');
    expect(text).not.toContain('map $http_x_berth_site $berth_site');
  });
  test('the fingerprint pattern is the one the unit tests exercise', () => {
    expect(text).toContain('"~(?:^/_next/static/|');
  });
});
