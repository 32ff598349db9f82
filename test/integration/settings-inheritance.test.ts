// Settings inheritance through the environment parent chain (prod → staging → dev), against
// the real database, Temporal, Docker and Traefik: the nearest environment that sets a setting
// wins, a parent's change reaches its children, the API shows each setting's source, a deploy
// runs with the effective settings (recorded in its release), and bad input changes nothing.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as schema from '../../db/schema/index.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp } from '../support/fixtures.js';
import { snapshot } from '../support/snapshot.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

let berth: TestBerth;
const envs = '/api/v1/apps/inherit/environments';

async function get(env: string) {
  const res = await berth.api('GET', `${envs}/${env}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function patch(env: string, body: unknown) {
  const res = await berth.api('PATCH', `${envs}/${env}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

beforeAll(async () => {
  berth = await startBerth();
  // The app runs 1 replica with a 64 MB limit; prod sets its own replicas, retention and drain.
  await createImageApp(berth, { app: 'inherit', image: 'berth-local/hello:v1', environment: { retention: 4, replicas: 3, standbySeconds: 0 } });
  expect((await berth.api('PATCH', '/api/v1/apps/inherit', { resources: { memoryMb: 64 } })).status).toBe(200);
  expect((await berth.api('POST', envs, { name: 'staging', parent: 'prod', replicas: 2, cancelSuperseded: true })).status).toBe(201);
  const dev = await berth.api('POST', envs, { name: 'dev', parent: 'staging', watch: { seconds: 0 } });
  expect(dev.status, JSON.stringify(dev.body)).toBe(201);
});

afterAll(async () => {
  await berth?.close();
});

describe('settings through the parent chain', () => {
  test('precedence across three levels, with the source of each', async () => {
    const dev = await get('dev');
    expect(dev).toMatchObject({ parent: 'staging', replicas: 2, retention: 4, drainSeconds: 0, cancelSuperseded: true, resources: { memoryMb: 64 }, standbySeconds: 0 });
    expect(dev.watch.seconds).toBe(0);
    expect(dev.settingSources).toMatchObject({
      replicas: { level: 'environment', environment: 'staging' },
      cancelSuperseded: { level: 'environment', environment: 'staging' },
      retention: { level: 'environment', environment: 'prod' },
      drainSeconds: { level: 'environment', environment: 'prod' },
      watch: { level: 'environment', environment: 'dev' },
      resources: { level: 'app', environment: null },
      healthCheck: { level: 'app', environment: null },
      queuePolicy: { level: 'default', environment: null },
    });
    // The environment's own row holds only what it set.
    const [row] = await berth.database.db.select().from(schema.environments).where(eq(schema.environments.id, dev.id));
    expect(row).toMatchObject({ replicas: null, retention: null, drainSeconds: null, cancelSuperseded: null });
    expect((await get('prod')).replicas).toBe(3);
  });

  test("a parent's change reaches its children; null goes back to inheriting", async () => {
    await patch('prod', { retention: 6, healthCheck: { path: '/healthz', intervalMs: 250, startPeriodMs: 2000 } });
    let dev = await get('dev');
    expect(dev.retention).toBe(6);
    expect(dev.healthCheck).toMatchObject({ path: '/healthz', intervalMs: 250 });
    expect(dev.settingSources.healthCheck).toEqual({ level: 'environment', environment: 'prod' });
    await patch('staging', { replicas: null });
    dev = await get('dev');
    expect(dev.replicas).toBe(3);
    expect(dev.settingSources.replicas).toEqual({ level: 'environment', environment: 'prod' });
    await patch('dev', { replicas: 2 });
    expect((await get('dev')).settingSources.replicas).toEqual({ level: 'environment', environment: 'dev' });
    await patch('prod', { replicas: 1 });
    expect((await get('dev')).replicas).toBe(2);
  });

  test('bad input is refused with a 400 and nothing changes', async () => {
    const before = { snap: await snapshot(berth), dev: await get('dev'), rows: await berth.database.db.select().from(schema.environments) };
    for (const body of [{ replicas: 0 }, { retention: 'many' }, { healthCheck: { path: 'no-slash' } }, { resources: { memoryMb: 1 } }, { drainSeconds: -1 }, { replicas: 2, bogus: true }, { queuePolicy: 'random' }]) {
      const res = await berth.api('PATCH', `${envs}/dev`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const made = await berth.api('POST', envs, { name: 'qa', parent: 'dev', replicas: 99 });
    expect(made.status).toBe(400);
    expect(await snapshot(berth)).toEqual(before.snap);
    expect(await get('dev')).toEqual(before.dev);
    expect(await berth.database.db.select().from(schema.environments)).toEqual(before.rows);
  });

  test('a deploy runs with the effective settings and its release records them', async () => {
    const res = await berth.api('POST', `${envs}/dev/deployments`, { image: 'berth-local/hello:v1' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const d = await waitForDeployment(berth, res.body.deploymentId);
    expect(d.status, d.message).toBe('succeeded');
    const dev = await get('dev');
    const [release] = await berth.database.db.select().from(schema.releases).where(eq(schema.releases.createdByDeploymentId, res.body.deploymentId));
    expect(release?.config).toMatchObject({ replicas: 2, resources: { memoryMb: 64 }, healthCheck: { path: '/healthz', intervalMs: 250 } });
    const containers = (await berth.containers(dev.id)).filter((c) => c.Labels['berth.deployment'] === res.body.deploymentId);
    expect(containers).toHaveLength(2);
    const inspected = await berth.docker.getContainer(containers[0]?.Id as string).inspect();
    expect(inspected.HostConfig.Memory).toBe(64 * 1024 * 1024);
  }, 60_000);
});

describe('a domains pattern', () => {
  test('set on prod, every environment below answers on its own name under it, through Traefik', async () => {
    // dev runs since the test above; staging inherits too, and the names reach the routes without a deploy.
    const prod = await patch('prod', { domainPattern: '{env}.shop.test' });
    expect(prod.hosts).toContain('prod.shop.test');
    const dev = await get('dev');
    expect(dev.domainPattern).toBe('{env}.shop.test');
    expect(dev.settingSources.domainPattern).toEqual({ level: 'environment', environment: 'prod' });
    expect(dev.hosts).toEqual(['inherit.dev.localhost', 'dev.shop.test']);
    expect(dev.domains).toEqual([]);
    expect((await get('staging')).hosts).toContain('staging.shop.test');
    await waitFor('dev.shop.test routed to dev', async () => (await throughTraefik('dev.shop.test')).status === 200, 15_000);
    // The environment's own row holds no domain: the name is the pattern's.
    const [row] = await berth.database.db.select().from(schema.environments).where(eq(schema.environments.id, dev.id));
    expect(row).toMatchObject({ domainPattern: null, patternDomain: 'dev.shop.test', domains: [] });
  }, 30_000);

  test('a pattern nearer wins, "" stops it, null takes the parent\'s again; the routes follow', async () => {
    expect((await patch('staging', { domainPattern: '{app}-{env}.qa.test' })).hosts).toContain('inherit-staging.qa.test');
    expect((await get('dev')).hosts).toContain('inherit-dev.qa.test');
    await waitFor('the new name routed', async () => (await throughTraefik('inherit-dev.qa.test')).status === 200, 15_000);
    await waitFor('the old name no longer routed', async () => (await throughTraefik('dev.shop.test')).status === 404, 15_000);
    const stopped = await patch('dev', { domainPattern: '' });
    expect(stopped.hosts).toEqual(['inherit.dev.localhost']);
    expect(stopped.domainPattern).toBeNull();
    await waitFor('no pattern name routed', async () => (await throughTraefik('inherit-dev.qa.test')).status === 404, 15_000);
    await patch('dev', { domainPattern: null });
    await patch('staging', { domainPattern: null });
    expect((await get('dev')).hosts).toContain('dev.shop.test');
    await waitFor('dev.shop.test routed again', async () => (await throughTraefik('dev.shop.test')).status === 200, 15_000);
  }, 60_000);

  test('a new environment under a pattern gets its name when made', async () => {
    const made = await berth.api('POST', envs, { name: 'demo', parent: 'dev' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.hosts).toContain('demo.shop.test');
    expect(made.body.settingSources.domainPattern).toEqual({ level: 'environment', environment: 'prod' });
  });

  test('bad or clashing patterns are refused with a 4xx and nothing changes', async () => {
    await createImageApp(berth, { app: 'rival', image: 'berth-local/hello:v1', env: 'dev' });
    const before = { snap: await snapshot(berth), rows: await berth.database.db.select().from(schema.environments) };
    for (const [domainPattern, says] of [
      ['shop.test', 'needs {env}'],
      ['{env}.{region}.test', 'not a placeholder'],
      ['{env}', 'not a host name'],
      [7, 'domainPattern'],
    ] as const) {
      const res = await berth.api('PATCH', `${envs}/prod`, { domainPattern });
      expect(res.status, String(domainPattern)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(says);
    }
    // Another app's dev would take dev.shop.test, which this app's dev has.
    const clash = await berth.api('PATCH', '/api/v1/apps/rival/environments/dev', { domainPattern: '{env}.shop.test' });
    expect(clash.status, JSON.stringify(clash.body)).toBe(409);
    // A name longer than a DNS label allows, for one environment of the chain.
    const long = await berth.api('POST', envs, { name: 'a'.repeat(40), parent: 'prod', domainPattern: '{app}-{env}-{env}.test' });
    expect(long.status, JSON.stringify(long.body)).toBe(400);
    expect(JSON.stringify(long.body)).toContain('not a host name');
    // The pattern under the apps domain would shadow <app>.<env> names.
    expect((await berth.api('PATCH', `${envs}/prod`, { domainPattern: '{env}.localhost' })).status).toBe(400);
    expect(await snapshot(berth)).toEqual(before.snap);
    expect(await berth.database.db.select().from(schema.environments)).toEqual(before.rows);
    expect((await throughTraefik('dev.shop.test')).status).toBe(200);
  });
});
