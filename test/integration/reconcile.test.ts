// Reconciliation against the real Docker engine, Temporal, Traefik and PostgreSQL: a killed or
// removed container of the live release is back and routable within seconds (Docker events),
// route drift and a wiped routes directory are healed, orphans are removed while nothing
// foreign is touched, and every action is recorded and visible in the API.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { containerLabels, containerName } from '../../src/domain/labels.js';
import { routeFileName } from '../../src/domain/route.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const DOCKER = '/usr/bin/docker';
const tags = { v1: 'berth-test/heal:v1', v2: 'berth-test/heal:v2', sick: 'berth-test/heal:sick', foreign: 'berth-test/foreign:1' };
let berth: TestBerth;
let fx: AppFixture;
const foreignName = `berth-test-foreign-${process.pid}`;

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  buildHello(tags.sick, { version: 'sick', healthy: false });
  buildHello(tags.foreign, { version: 'foreign' });
  berth = await startBerth();
  fx = await createImageApp(berth, { app: 'heal', replicas: 2, healthCheck: { intervalMs: 100, startPeriodMs: 2000 }, environment: { retention: 2 } });
  expect((await waitForDeployment(berth, await deploy(berth, fx, tags.v1))).status).toBe('succeeded');
  expect((await waitForDeployment(berth, await deploy(berth, fx, tags.v2))).status).toBe('succeeded');
});

afterAll(async () => {
  execFileSync(DOCKER, ['rm', '-f', foreignName], { stdio: 'ignore' });
  await berth?.close();
  removeImages(...Object.values(tags));
});

async function liveContainers() {
  const env = (await berth.api('GET', fx.base)).body;
  return (await berth.containers(fx.environmentId)).filter((c) => c.Labels['berth.release'] === env.liveReleaseId);
}

async function servesV2Within(ms: number): Promise<number> {
  const started = Date.now();
  await waitFor('v2 through Traefik', async () => (await throughTraefik(fx.host)).body.trim() === 'v2' && (await throughTraefik(fx.host)).status === 200, ms, 20);
  return Date.now() - started;
}

/** Every answer through Traefik is v2, for a few requests in a row (both replicas routed). */
async function allAnswersV2(): Promise<boolean> {
  for (let i = 0; i < 6; i++) if ((await throughTraefik(fx.host)).body.trim() !== 'v2') return false;
  return true;
}

async function events(drift?: string) {
  const res = await berth.api('GET', `/api/v1/reconcile/events?app=${fx.app}&env=${fx.env}${drift ? `&drift=${drift}` : ''}`);
  expect(res.status).toBe(200);
  return res.body.items as { drift: string; action: string; outcome: string; trigger: string }[];
}

async function reconcileAllNow() {
  const res = await berth.api('POST', '/api/v1/reconcile', { wait: true });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.result;
}

describe('self-healing', () => {
  test('a killed container of the live release is back and routable within 3 s', async () => {
    const [victim] = await liveContainers();
    const killedAt = Date.now();
    execFileSync(DOCKER, ['kill', victim?.Id as string]);
    await waitFor('both replicas serving again', async () => (await liveContainers()).every((c) => c.State === 'running') && (await allAnswersV2()), 10_000, 20);
    const mttr = Date.now() - killedAt;
    process.stdout.write(`reconcile: killed container back and routed in ${mttr} ms\n`);
    expect(mttr).toBeLessThanOrEqual(3000);
    await waitFor('the event', async () => (await events('container-exited')).some((e) => e.action === 'started' && e.trigger === 'docker-event'));
  });

  test('a removed container of the live release is recreated and routed', async () => {
    const [victim] = await liveContainers();
    const removedAt = Date.now();
    execFileSync(DOCKER, ['rm', '-f', victim?.Id as string]);
    await waitFor('two running replicas again', async () => (await liveContainers()).filter((c) => c.State === 'running').length === 2 && (await allAnswersV2()), 15_000, 50);
    process.stdout.write(`reconcile: removed container recreated and routed in ${Date.now() - removedAt} ms\n`);
    await waitFor('the event', async () => (await events('container-missing')).some((e) => e.action === 'recreated'));
    expect((await liveContainers()).filter((c) => c.State === 'running')).toHaveLength(2);
  });

  test('a deleted, an altered route file and a wiped routes directory come back in one pass', async () => {
    const file = join(berth.config.traefik.routesDir, routeFileName(berth.config.instance, fx.environmentId));
    rmSync(file);
    await waitFor('Traefik to drop the route', async () => (await throughTraefik(fx.host)).status === 404, 5000, 10);
    await reconcileAllNow();
    expect(existsSync(file)).toBe(true);
    expect(await servesV2Within(5000)).toBeGreaterThanOrEqual(0);

    writeFileSync(file, JSON.stringify({ http: { routers: {}, services: {} } }));
    await reconcileAllNow();
    await servesV2Within(5000);

    // Everything of this instance in Traefik's directory disappears at once.
    for (const name of readdirSync(berth.config.traefik.routesDir)) {
      if (name.startsWith(`${berth.config.instance}--`)) rmSync(join(berth.config.traefik.routesDir, name));
    }
    await reconcileAllNow();
    await servesV2Within(5000);
    const drifts = (await events()).map((e) => e.drift);
    expect(drifts).toContain('route-missing');
    expect(drifts).toContain('route-altered');
  });
});

describe('orphans', () => {
  test('Berth-labelled leftovers go; foreign containers, images and route files stay', async () => {
    // A foreign container and image, with no Berth labels.
    execFileSync(DOCKER, ['run', '-d', '--name', foreignName, tags.foreign]);
    // A leftover of this instance: a container of a release that does not exist.
    const labels = containerLabels(
      { instance: berth.config.instance, appId: 'app_gone', environmentId: fx.environmentId, releaseId: 'rel_gone0000000000', deploymentId: 'dep_gone0000000000' },
      0,
    );
    const orphan = await berth.docker.createContainer({ name: containerName('dep_gone0000000000', 0), Image: tags.v1, Labels: labels });
    // A stray route file of this instance, and one of another instance.
    const routes = berth.config.traefik.routesDir;
    const stray = join(routes, routeFileName(berth.config.instance, 'env_stray000000000'));
    const other = join(routes, routeFileName('another-instance', 'env_other000000000'));
    writeFileSync(stray, '{}');
    writeFileSync(other, '{}');
    try {
      const result = await reconcileAllNow();
      expect(result.orphans).toBeGreaterThanOrEqual(1);
      expect(result.staleRoutes).toBeGreaterThanOrEqual(1);
      await expect(orphan.inspect()).rejects.toMatchObject({ statusCode: 404 });
      expect(existsSync(stray)).toBe(false);
      expect(existsSync(other)).toBe(true);
      expect(execFileSync(DOCKER, ['inspect', '-f', '{{.State.Running}}', foreignName]).toString().trim()).toBe('true');
      expect(execFileSync(DOCKER, ['image', 'inspect', '-f', '{{.Id}}', tags.foreign]).toString()).toMatch(/^sha256:/);
      // The live release and the retained previous one keep their containers.
      expect((await liveContainers()).filter((c) => c.State === 'running')).toHaveLength(2);
    } finally {
      rmSync(other, { force: true });
    }
  });

  test('shrinking retention leaves a release unretained: reconcile removes its containers, once no deployment is under way there', async () => {
    const releasesOf = async () => new Set((await berth.containers(fx.environmentId)).map((c) => c.Labels['berth.release']));
    const before = await releasesOf();
    expect(before.size).toBe(2);
    expect((await berth.api('PATCH', fx.base, { retention: 1 })).status).toBe(200);
    // A deployment under way owns its environment (the release it replaces may still be
    // draining): the sweep leaves it alone. This one waits in its health gate's minute-long start
    // period until it is cancelled.
    const check = { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 60_000, failureThreshold: 3 };
    expect((await berth.api('PATCH', fx.base, { healthCheck: check })).status).toBe(200);
    const sick = await deploy(berth, fx, tags.sick);
    const status = async () => (await berth.api('GET', `/api/v1/deployments/${sick}`)).body.status as string;
    await waitFor('the sick deployment to run', async () => (await status()) === 'running', 10_000, 20);
    await reconcileAllNow();
    expect(await status(), 'the deployment ended before the sweep: the check proved nothing').toBe('running');
    const during = await releasesOf();
    for (const r of before) expect(during.has(r)).toBe(true);
    expect((await berth.api('POST', `/api/v1/deployments/${sick}/cancel`)).status).toBe(202);
    expect((await waitForDeployment(berth, sick)).status).toBe('cancelled');
    expect((await berth.api('PATCH', fx.base, { healthCheck: null })).status).toBe(200);
    await reconcileAllNow();
    const after = await berth.containers(fx.environmentId);
    expect(new Set(after.map((c) => c.Labels['berth.release'])).size).toBe(1);
    expect((await events('container-orphaned')).length).toBeGreaterThanOrEqual(2);
  });
});

test('metrics count what reconcile did', async () => {
  const res = await berth.request('/metrics');
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toMatch(/^berth_deployments\{status="succeeded"\} \d+$/m);
  expect(text).toMatch(/^berth_reconcile_events_total\{drift="container-exited",action="started",outcome="done"\} [1-9]\d*$/m);
  expect(text).toMatch(/^berth_deployments_stuck 0$/m);
});
