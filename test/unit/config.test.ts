import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  test('embedded defaults on loopback', () => {
    const c = loadConfig({});
    expect(c.api).toMatchObject({ host: '127.0.0.1', port: 7480, publicUrl: 'http://127.0.0.1:7480' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/\/\.local\/share\/berth$/);
    expect(c.traefik.routesDir).toBe(`${c.dataDir}/traefik/routes`);
    expect(c.traefik.entryUrl).toBe('http://127.0.0.1:7481');
    expect(c.temporal.uiUrl).toBe('http://127.0.0.1:8233');
    expect(c.embeddedServices).toBe(true);
    expect(c.deploys.watchSeconds).toBe(30);
  });

  test('the post-switch watch’s installation default: seconds from 0 (off) to an hour', () => {
    expect(loadConfig({ BERTH_WATCH_SECONDS: '0' }).deploys.watchSeconds).toBe(0);
    expect(() => loadConfig({ BERTH_WATCH_SECONDS: '3601' })).toThrow(/BERTH_WATCH_SECONDS/);
    expect(() => loadConfig({ BERTH_WATCH_SECONDS: 'soon' })).toThrow(/BERTH_WATCH_SECONDS: expected seconds/);
  });

  test('the build registry: a registry address, optionally with a path; none by default', () => {
    expect(loadConfig({}).builds.registry).toBeNull();
    expect(loadConfig({ BERTH_BUILD_REGISTRY: 'registry.internal:5000' }).builds.registry).toBe('registry.internal:5000');
    expect(loadConfig({ BERTH_BUILD_REGISTRY: '127.0.0.1:5000/berth' }).builds.registry).toBe('127.0.0.1:5000/berth');
    for (const bad of ['berth', 'registry.internal:5000/', 'registry.internal:5000/app:tag', 'https://registry.internal', 'Registry Internal']) {
      expect(() => loadConfig({ BERTH_BUILD_REGISTRY: bad }), bad).toThrow(/BERTH_BUILD_REGISTRY: expected a registry address/);
    }
  });

  test('the Swarm Berth makes: loopback by default, a private address when told, never a public one', () => {
    expect(loadConfig({}).host.swarm).toEqual({ advertiseAddress: '127.0.0.1', dataPathPort: 4789 });
    expect(loadConfig({ BERTH_SWARM_ADVERTISE_ADDR: '10.0.0.5', BERTH_SWARM_DATA_PATH_PORT: '4800' }).host.swarm).toEqual({ advertiseAddress: '10.0.0.5', dataPathPort: 4800 });
    expect(() => loadConfig({ BERTH_SWARM_ADVERTISE_ADDR: '8.8.8.8' })).toThrow(/BERTH_SWARM_ADVERTISE_ADDR.*private address/);
    expect(() => loadConfig({ BERTH_SWARM_ADVERTISE_ADDR: 'eth0' })).toThrow(/BERTH_SWARM_ADVERTISE_ADDR.*IPv4/);
    expect(() => loadConfig({ BERTH_SWARM_DATA_PATH_PORT: '53' })).toThrow(/BERTH_SWARM_DATA_PATH_PORT/);
  });

  test('a worker serves static sites itself only when told (BERTH_STATIC_SERVE)', () => {
    expect(loadConfig({}).static.serve).toBe(false);
    expect(loadConfig({ BERTH_STATIC_SERVE: 'true' }).static.serve).toBe(true);
    expect(() => loadConfig({ BERTH_STATIC_SERVE: 'maybe' })).toThrow(/BERTH_STATIC_SERVE/);
  });

  test('every problem is named with the value that was given', () => {
    try {
      loadConfig({ BERTH_API_PORT: '0', DATABASE_URL: 'mysql://db', BERTH_APPS_DOMAIN: 'Not A Domain' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/BERTH_API_PORT: expected a port number 1-65535 \(got "0"\)/);
      expect(problems).toMatch(/DATABASE_URL: expected a postgres:\/\/ URL/);
      expect(problems).toMatch(/BERTH_APPS_DOMAIN/);
    }
  });

  test('derived URLs follow the ports and addresses given', () => {
    const c = loadConfig({ BERTH_TRAEFIK_PORT: '9000', TEMPORAL_ADDRESS: 'temporal:7233', BERTH_DATA_DIR: '/srv/berth', BERTH_EMBEDDED_SERVICES: 'false' });
    expect(c.traefik.entryUrl).toBe('http://127.0.0.1:9000');
    expect(c.temporal.uiUrl).toBe('http://temporal:8233');
    expect(c.traefik.routesDir).toBe('/srv/berth/traefik/routes');
    expect(c.embeddedServices).toBe(false);
  });
});

describe('access settings', () => {
  test('hosts, proxies, the webhook listener and session times; empty values count as unset', () => {
    const config = loadConfig({
      BERTH_ALLOWED_HOSTS: 'ops.example.com, berth.internal',
      BERTH_TRUSTED_PROXIES: '10.0.0.2',
      BERTH_WEBHOOK_LISTEN: '0.0.0.0:7490',
      BERTH_SESSION_IDLE_MINUTES: '30',
      BERTH_WEBHOOK_PUBLIC_URL: 'https://hooks.example.com/',
      BERTH_PUBLIC_URL: '',
    });
    expect(config.access.webhookPublicUrl).toBe('https://hooks.example.com');
    expect(config.api.publicUrl).toBe('http://127.0.0.1:7480');
    expect(config.access).toMatchObject({ allowedHosts: ['ops.example.com', 'berth.internal'], trustedProxies: ['10.0.0.2'], webhookListen: { host: '0.0.0.0', port: 7490 } });
    expect(config.sessions).toEqual({ idleMinutes: 30, maxHours: 168 });
    expect(loadConfig({ BERTH_WEBHOOK_LISTEN: '' }).access.webhookListen).toBeNull();
    expect(() => loadConfig({ BERTH_ALLOWED_HOSTS: 'bad host!' })).toThrow(/BERTH_ALLOWED_HOSTS/);
    expect(() => loadConfig({ BERTH_SESSION_IDLE_MINUTES: '1' })).toThrow(/BERTH_SESSION_IDLE_MINUTES/);
  });
});
