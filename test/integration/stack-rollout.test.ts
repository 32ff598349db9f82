// Stacks on the real Docker Swarm, Temporal, Traefik and PostgreSQL: a three-service stack
// (web → api → store) rolls out in dependency order; an update whose api is unhealthy puts
// store and api back while web serves throughout; a healthy update under load fails no request;
// a whole-stack rollback; teardown removes everything the stack owned and nothing else.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import { LABEL } from '../../src/domain/labels.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { stackNamespace } from '../../src/domain/stack.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { createStackApp, deployStack, serviceStarts, setVariables, THREE_SERVICES, type StackFixture } from '../support/stack-fixtures.js';
import { swarmObjects } from '../support/swarm.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = {
  web1: 'berth-test/stack-web:1',
  web2: 'berth-test/stack-web:2',
  api1: 'berth-test/stack-api:1',
  api2: 'berth-test/stack-api:2',
  apiBad: 'berth-test/stack-api:bad',
  store1: 'berth-test/stack-store:1',
  store2: 'berth-test/stack-store:2',
  storeSlow: 'berth-test/stack-store:slow',
};
const SECRET = 'sup3r-s3cret-token';
const FOREIGN = `berth-test-foreign-${process.pid}`;
let berth: TestBerth;
let fx: StackFixture;

beforeAll(async () => {
  buildHello(tags.web1, { version: 'w1' });
  buildHello(tags.web2, { version: 'w2' });
  buildHello(tags.api1, { version: 'a1' });
  buildHello(tags.api2, { version: 'a2' });
  buildHello(tags.apiBad, { version: 'abad', healthy: false });
  buildHello(tags.store1, { version: 's1' });
  buildHello(tags.store2, { version: 's2' });
  buildHello(tags.storeSlow, { version: 'slow', startDelay: 2 });
  berth = await startBerth();
  fx = await createStackApp(berth, {
    app: 'shop',
    compose: THREE_SERVICES,
    variables: { WEB_IMAGE: tags.web1, API_IMAGE: tags.api1, STORE_IMAGE: tags.store1, STORE_TOKEN: SECRET },
  });
});

afterAll(async () => {
  await berth?.close();
  try {
    execFileSync('/usr/bin/docker', ['service', 'rm', FOREIGN], { stdio: 'pipe' });
  } catch {
    // not created
  }
  removeImages(...Object.values(tags));
});

const web = async () => (await throughTraefik(fx.host)).body.trim();
const namespace = () => stackNamespace(fx.environmentId);

async function serviceImages(): Promise<Record<string, string>> {
  const { services } = await swarmObjects(berth.docker, berth.config.instance, { [LABEL.stack]: namespace() });
  return Object.fromEntries(services.map((s) => [s.labels[LABEL.service] as string, s.image]));
}

const imageId = (tag: string) => execFileSync('/usr/bin/docker', ['image', 'inspect', '-f', '{{.Id}}', tag]).toString().trim();

describe('stack rollouts', () => {
  const releases: Record<string, string> = {};

  test('three services deploy in dependency order, each gated, web routed through Traefik', async () => {
    const id = await deployStack(berth, fx);
    const d = await waitForDeployment(berth, id, 120_000);
    expect(d.status, d.message).toBe('succeeded');
    releases.first = d.releaseId;
    expect(d.phases.map((p: { phase: string }) => p.phase)).toEqual(['queued', 'resolve', 'rollout', 'verify', 'drain', 'prune']);
    expect(d.phases.find((p: { phase: string }) => p.phase === 'rollout').message).toMatch(/store → api → web/);

    // The order is visible in the per-service phases: each level starts after the one before is healthy.
    const starts = serviceStarts(d);
    const byName = Object.fromEntries(d.services.map((s: { service: string; phases: unknown[] }) => [s.service, s.phases]));
    const ended = (service: string, phase: string) => Date.parse(byName[service].find((p: { phase: string }) => p.phase === phase).endedAt);
    expect(starts.api).toBeGreaterThanOrEqual(ended('store', 'health'));
    expect(starts.web).toBeGreaterThanOrEqual(ended('api', 'health'));
    for (const s of d.services) {
      expect(s.phases.map((p: { phase: string }) => p.phase), s.service).toEqual(['update', 'start', 'health', 'route']);
      expect(s.phases.filter((p: { outcome: string }) => p.outcome !== 'succeeded' && p.outcome !== 'skipped'), s.service).toEqual([]);
    }
    expect(byName.store.find((p: { phase: string }) => p.phase === 'health').message).toMatch(/compose healthcheck/);
    expect(byName.web.find((p: { phase: string }) => p.phase === 'route').outcome).toBe('succeeded');

    expect(await web()).toBe('w1');
    const images = await serviceImages();
    expect(images).toEqual({ web: imageId(tags.web1), api: imageId(tags.api1), store: imageId(tags.store1) });

    // Every object carries Berth's labels and the stack namespace; nothing is published on a host port.
    const objects = await swarmObjects(berth.docker, berth.config.instance, { [LABEL.stack]: namespace() });
    expect(objects.networks).toEqual([`${namespace()}_default`]);
    expect(objects.secrets).toHaveLength(1);
    expect(objects.secrets[0]).toMatch(new RegExp(`^${namespace()}_token-`));
    for (const s of objects.services) {
      const info = await berth.docker.getService(s.name).inspect();
      expect(info.Spec.EndpointSpec?.Mode).toBe('dnsrr');
      expect(info.Endpoint?.Ports ?? []).toEqual([]);
      expect(info.Spec.UpdateConfig?.Order).toBe('start-first');
    }
    // The secret's value reached Swarm, never Temporal's history.
    const history = JSON.stringify(await berth.temporal.workflow.getHandle(d.workflowId).fetchHistory());
    expect(history).not.toContain(SECRET);
    const releaseList = await berth.api('GET', `${fx.base}/releases`);
    expect(releaseList.body.items[0].imagePinned).toMatch(/^stack@sha256:/);
  });

  test('an update whose api is unhealthy: store and api go back to their previous specs, web serves throughout', async () => {
    const before = await serviceImages();
    await setVariables(berth, fx.base, { WEB_IMAGE: tags.web1, API_IMAGE: tags.apiBad, STORE_IMAGE: tags.store2, STORE_TOKEN: SECRET });
    const load = startLoad({ url: inject('services').traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 3000, maxMs: 60_000, acceptBodies: ['w1'] });
    const id = await deployStack(berth, fx);
    releases.failedDeployment = id;
    const d = await waitForDeployment(berth, id, 120_000);
    const result = await load.stop();
    expect(d.status).toBe('failed');
    expect(d.message).toMatch(/^service api: /);
    expect(d.errorType, d.message).toBe('HealthCheckFailed');
    const byName = Object.fromEntries(d.services.map((s: { service: string; phases: unknown[] }) => [s.service, s.phases]));
    expect(byName.web).toBeUndefined(); // its level never started
    expect(byName.store.find((p: { phase: string }) => p.phase === 'revert')).toMatchObject({ outcome: 'succeeded' });
    expect(byName.api.find((p: { phase: string }) => p.phase === 'revert')).toMatchObject({ outcome: 'succeeded' });
    expect(d.phases.find((p: { phase: string }) => p.phase === 'revert').outcome).toBe('succeeded');

    expect(await serviceImages()).toEqual(before);
    expect(result.sent).toBeGreaterThan(50);
    expect(result.failures).toEqual([]);
    expect(await web()).toBe('w1');
    const env = await berth.api('GET', fx.base);
    expect(env.body.liveReleaseId).toBe(releases.first);
  }, 240_000);

  test('a healthy update under load through Traefik fails no request', async () => {
    await setVariables(berth, fx.base, { WEB_IMAGE: tags.web2, API_IMAGE: tags.api2, STORE_IMAGE: tags.store2, STORE_TOKEN: SECRET });
    const load = startLoad({ url: inject('services').traefik.entryUrl, host: fx.host, ratePerSecond: 100, maxRequests: 6000, maxMs: 60_000, acceptBodies: ['w1', 'w2'] });
    const id = await deployStack(berth, fx);
    const d = await waitForDeployment(berth, id, 120_000);
    const result = await load.stop();
    expect(d.status, d.message).toBe('succeeded');
    releases.second = d.releaseId;
    expect(result.sent).toBeGreaterThan(100);
    expect(result.failures).toEqual([]);
    expect(result.bodies.get('w2')).toBeGreaterThan(0);
    expect(await web()).toBe('w2');
    // The replaced web was drained and pruned: one Swarm service per compose service.
    const objects = await swarmObjects(berth.docker, berth.config.instance, { [LABEL.stack]: namespace() });
    expect(objects.services.map((s) => s.labels[LABEL.service]).sort()).toEqual(['api', 'store', 'web']);
  });

  test('the whole stack rolls back to the earlier release', async () => {
    const res = await berth.api('POST', `${fx.base}/rollback`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const d = await waitForDeployment(berth, res.body.deploymentId, 120_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.kind).toBe('rollback');
    expect(d.releaseId).toBe(releases.first);
    expect(await web()).toBe('w1');
    expect(await serviceImages()).toEqual({ web: imageId(tags.web1), api: imageId(tags.api1), store: imageId(tags.store1) });
  });

  test('a full reconcile leaves a live stack to Swarm: its task containers, services and routes stay', async () => {
    // Containers of the tasks Swarm wants running (those of a pruned service, or replaced by a
    // start-first update, may still be going away).
    const tasks = async () => {
      const services = (await berth.docker.listServices({ filters: { label: [`${LABEL.stack}=${namespace()}`] } })).map((s) => s.Spec?.Name as string);
      const wanted = new Set((await berth.docker.listTasks({ filters: { service: services, 'desired-state': ['running'] } })).map((t) => t.ID));
      const containers = await berth.docker.listContainers({ filters: { label: [`${LABEL.stack}=${namespace()}`] } });
      return containers.filter((c) => wanted.has(c.Labels['com.docker.swarm.task.id'])).map((c) => c.Id).sort();
    };
    const routeFiles = async () => (await readdir(berth.config.traefik.routesDir)).filter((f) => f.includes(fx.environmentId)).sort();
    const before = { tasks: await tasks(), routes: await routeFiles(), images: await serviceImages() };
    expect(before.tasks.length).toBeGreaterThanOrEqual(3);
    expect(before.routes.length).toBeGreaterThan(0);
    const res = await berth.api('POST', '/api/v1/reconcile', { wait: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect({ tasks: await tasks(), routes: await routeFiles(), images: await serviceImages() }).toEqual(before);
    expect(await web()).toBe('w1');
  });

  test('a cancelled rollout puts back what it touched; the live release keeps serving', async () => {
    const before = await serviceImages();
    await setVariables(berth, fx.base, { WEB_IMAGE: tags.web2, API_IMAGE: tags.api2, STORE_IMAGE: tags.storeSlow, STORE_TOKEN: SECRET });
    const id = await deployStack(berth, fx);
    await waitFor('store to be gated', async () => {
      const d = await berth.api('GET', `/api/v1/deployments/${id}`);
      return d.body.services?.some((s: { service: string; phases: { phase: string; outcome: string }[] }) => s.service === 'store' && s.phases.some((p) => p.outcome === 'running'));
    });
    const cancel = await berth.api('POST', `/api/v1/deployments/${id}/cancel`);
    expect(cancel.status).toBe(202);
    const d = await waitForDeployment(berth, id, 120_000);
    expect(d.status).toBe('cancelled');
    expect(d.services.find((s: { service: string }) => s.service === 'store').phases.find((p: { phase: string }) => p.phase === 'revert').outcome).toBe('succeeded');
    expect(await serviceImages()).toEqual(before);
    expect(await web()).toBe('w1');
  });

  test('teardown removes every service, network, secret, volume and route of the stack, and no foreign service', async () => {
    execFileSync('/usr/bin/docker', ['service', 'create', '-d', '--name', FOREIGN, '--label', `${LABEL.stack}=${namespace()}`, tags.web1], { stdio: 'pipe' });
    const res = await berth.api('DELETE', `${fx.base}/stack`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const d = await waitForDeployment(berth, res.body.deploymentId, 120_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.kind).toBe('teardown');

    expect(await swarmObjects(berth.docker, berth.config.instance)).toEqual({ services: [], networks: [], secrets: [], configs: [], volumes: [] });
    const routes = await readdir(berth.config.traefik.routesDir);
    expect(routes.filter((f) => f.includes(fx.environmentId))).toEqual([]);
    expect((await throughTraefik(fx.host)).status).toBe(404);
    // The foreign service (same namespace label, not Berth's) is untouched.
    const foreign = await berth.docker.getService(FOREIGN).inspect();
    expect(foreign.Spec.Name).toBe(FOREIGN);
    const env = await berth.api('GET', fx.base);
    expect(env.body.liveReleaseId).toBeNull();
  });

  test('every workflow history of these rollouts replays deterministically', async () => {
    const histories = [];
    for await (const info of berth.temporal.workflow.list()) {
      histories.push({ workflowId: info.workflowId, type: info.type, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
    }
    // Reconcile runs beside them (on the Docker events stream opening); the stack's are what matter here.
    expect([...new Set(histories.map((h) => h.type))]).toEqual(expect.arrayContaining(['environmentLane', 'rolloutStack', 'rolloutStackService']));
    const errors = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: berth.dataConverter, replayName: 'berth-stack-replay' }, histories)) {
      if (result.error) errors.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(errors).toEqual([]);
    if (process.env.RECORD_HISTORIES === '1') {
      // The failed rollout (api unhealthy, store and api reverted) and its children.
      const failed = histories.filter((h) => h.type !== 'environmentLane' && h.workflowId.startsWith(`deploy-${releases.failedDeployment}`));
      expect(failed.length).toBe(3);
      for (const { workflowId, history } of failed) {
        writeFileSync(new URL(`../fixtures/histories/stack-${workflowId.replace(/[^a-z0-9_-]/gi, '_')}.json`, import.meta.url), historyToJSON(history));
      }
    }
  });
});
