// Stacks in reconcile, on the real Docker Swarm, Temporal, Traefik and PostgreSQL: a task of an
// exposed service killed is replaced by Swarm at another address, and the Docker event has its
// route follow within 2 s; a service changed, scaled down or removed behind Berth's back is put
// back as the live release has it by the scheduled pass (reconcileAll), on a Berth that does not
// listen to Docker events (with them, a task of the changed service dying heals it first).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LABEL } from '../../src/domain/labels.js';
import { parseRouteConfig, routeFileName, traefikRouteConfig, type RouteSpec } from '../../src/domain/route.js';
import { serviceRouteKey, stackNamespace } from '../../src/domain/stack.js';
import { reconcileEnvironmentWorkflowId } from '../../src/domain/workflow-ids.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { buildHello, removeImages } from '../support/images.js';
import { createStackApp, deployStack, type StackFixture } from '../support/stack-fixtures.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const DOCKER = '/usr/bin/docker';
const tags = { web: 'berth-test/stack-heal-web:1', other: 'berth-test/stack-heal-web:other', worker: 'berth-test/stack-heal-worker:1' };
const COMPOSE = `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    x-berth: { port: 8080, path: /healthz }
  worker:
    image: \${WORKER_IMAGE:?set WORKER_IMAGE}
`;
let berth: TestBerth;
let fx: StackFixture;

beforeAll(() => {
  buildHello(tags.web, { version: 'w1' });
  buildHello(tags.other, { version: 'other' });
  buildHello(tags.worker, { version: 'k1' });
});

afterAll(() => removeImages(...Object.values(tags)));

/** A Berth of its own with the stack deployed and serving, closed after the tests of its block. */
function withStack(env: Record<string, string> = {}) {
  beforeAll(async () => {
    berth = await startBerth({ env });
    fx = await createStackApp(berth, { app: 'healed', compose: COMPOSE, variables: { WEB_IMAGE: tags.web, WORKER_IMAGE: tags.worker } });
    const d = await waitForDeployment(berth, await deployStack(berth, fx), 120_000);
    expect(d.status, d.message).toBe('succeeded');
    expect((await throughTraefik(fx.host)).body.trim()).toBe('w1');
  });
  afterAll(async () => {
    await berth?.close();
  });
}

interface SwarmService {
  ID: string;
  Version: { Index: number };
  Spec: { Name: string; Labels: Record<string, string>; TaskTemplate: { ContainerSpec: { Image: string } }; Mode: { Replicated: { Replicas: number } } };
}

async function service(name: string): Promise<SwarmService | undefined> {
  const all = (await berth.docker.listServices({ filters: { label: [`${LABEL.stack}=${stackNamespace(fx.environmentId)}`, `${LABEL.service}=${name}`] } })) as unknown as SwarmService[];
  return all[0];
}

/** Containers of the service's running tasks. */
async function runningTasks(name: string): Promise<string[]> {
  const s = await service(name);
  if (!s) return [];
  const tasks = (await berth.docker.listTasks({ filters: { service: [s.Spec.Name], 'desired-state': ['running'] } })) as { Status?: { State?: string; ContainerStatus?: { ContainerID?: string } } }[];
  return tasks.filter((t) => t.Status?.State === 'running').map((t) => t.Status?.ContainerStatus?.ContainerID ?? '');
}

/** The servers web's route file sends traffic to. */
function routedServers(): string[] {
  const key = serviceRouteKey(fx.environmentId, 'web');
  const text = readFileSync(join(berth.config.traefik.routesDir, routeFileName(berth.config.instance, key)), 'utf8');
  return parseRouteConfig(key, text)?.servers ?? [];
}

/** Where the host reaches a task container: its address on docker_gwbridge. */
async function taskAddress(containerId: string): Promise<string> {
  const bridge = (await berth.docker.getNetwork('docker_gwbridge').inspect()) as { Containers?: Record<string, { IPv4Address?: string }> };
  return bridge.Containers?.[containerId]?.IPv4Address?.split('/')[0] ?? '';
}

/** Local images are pinned by id in a release. */
const imageId = (tag: string) => execFileSync(DOCKER, ['image', 'inspect', '-f', '{{.Id}}', tag]).toString().trim();

async function reconcileAllNow() {
  const res = await berth.api('POST', '/api/v1/reconcile', { wait: true });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.result;
}

/** Is the stack environment's targeted reconcile (started by Docker events) running? */
async function reconcileRunning(): Promise<boolean> {
  const info = await berth.temporal.workflow
    .getHandle(reconcileEnvironmentWorkflowId(fx.environmentId))
    .describe()
    .catch(() => null);
  return info?.status.name === 'RUNNING';
}

async function events(drift: string) {
  const res = await berth.api('GET', `/api/v1/reconcile/events?app=${fx.app}&env=${fx.env}&drift=${drift}`);
  return res.body.items as { action: string; trigger: string; detail: Record<string, unknown> }[];
}

describe('Docker events', () => {
  withStack();

  test('a killed task of an exposed service: its route follows the replacement within 2 s', async () => {
    const [victim] = await runningTasks('web');
    const before = routedServers();
    expect(before).toEqual([`http://${await taskAddress(victim as string)}:8080`]);
    const killedAt = Date.now();
    execFileSync(DOCKER, ['kill', victim as string]);
    const healed = await waitFor(
      'web routed to its replacement and serving',
      async () => {
        const [task] = await runningTasks('web');
        if (!task || task === victim) return false;
        const want = `http://${await taskAddress(task)}:8080`;
        if (routedServers().join() !== want) return false;
        return (await throughTraefik(fx.host)).body.trim() === 'w1' && Date.now();
      },
      10_000,
      20,
    );
    const ms = healed - killedAt;
    const moved = routedServers().join() !== before.join();
    process.stdout.write(`stack reconcile: killed task replaced and routed in ${ms} ms (${moved ? 'at a new address' : 'at the same address'})\n`);
    expect(ms).toBeLessThanOrEqual(2000);
    // Swarm may give the replacement the address the killed task had: then the route was right all along.
    if (moved) {
      await waitFor('the event', async () => (await events('route-altered')).some((e) => e.trigger === 'docker-event' && e.detail.service === 'web'));
    }
  });

  test('a task dying has its stack route rewritten from the tasks that run (a route left at an address nothing has)', async () => {
    const key = serviceRouteKey(fx.environmentId, 'web');
    const file = join(berth.config.traefik.routesDir, routeFileName(berth.config.instance, key));
    const stale = parseRouteConfig(key, readFileSync(file, 'utf8'));
    // The address a replaced task had, as a rollout's route keeps it; Traefik answers 502 now.
    // The test before killed a task: its environment's reconcile (passes re-armed by each of the
    // task's events) must be over, or it heals the route planted here before Traefik loads it.
    await waitFor('the reconcile of the killed task to end', async () => !(await reconcileRunning()), 30_000, 100);
    const staleText = JSON.stringify(traefikRouteConfig({ ...(stale as RouteSpec), servers: ['http://127.0.0.1:9'] }));
    writeFileSync(file, staleText);
    let replanted = 0;
    let last = '';
    await waitFor(
      'Traefik to route to nothing',
      async () => {
        // A late Docker event may still heal the route first: put the stale one back.
        if (readFileSync(file, 'utf8') !== staleText) {
          writeFileSync(file, staleText);
          replanted++;
        }
        const res = await throughTraefik(fx.host);
        last = `HTTP ${String(res.status)} ${res.body.trim().slice(0, 40)} (planted ${replanted + 1} times)`;
        return res.status !== 200;
      },
      10_000,
      20,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}; last answer: ${last}`);
    });
    const [victim] = await runningTasks('web');
    const killedAt = Date.now();
    execFileSync(DOCKER, ['kill', victim as string]);
    await waitFor('web served again', async () => (await throughTraefik(fx.host)).body.trim() === 'w1', 10_000, 20);
    const ms = Date.now() - killedAt;
    process.stdout.write(`stack reconcile: route rewritten and serving ${ms} ms after the task died\n`);
    expect(ms).toBeLessThanOrEqual(2000);
    // Swarm may list the killed task as running a moment longer, and a new task joins the bridge
    // a moment after it runs: compare with the replacement once it has its address.
    const address = await waitFor(
      "the replacement task's address",
      async () => {
        const [task] = (await runningTasks('web')).filter((t) => t !== '' && t !== victim);
        return (task && (await taskAddress(task))) || undefined;
      },
      10_000,
      50,
    );
    expect(routedServers()).toEqual([`http://${address}:8080`]);
    await waitFor('the event', async () => (await events('route-altered')).some((e) => e.trigger === 'docker-event' && e.detail.service === 'web'));
  });
});

describe('the scheduled pass', () => {
  // No Docker events, and no schedule firing on its own during the test: only the pass it runs heals.
  withStack({ BERTH_DOCKER_EVENTS: 'false', BERTH_RECONCILE_INTERVAL_SECONDS: '86400' });

  test('a service re-imaged, scaled to nothing or removed behind Berth’s back is put back by the scheduled pass', async () => {
    const web = (await service('web')) as SwarmService;
    const worker = (await service('worker')) as SwarmService;
    // web runs another image; worker is scaled to 0 (the way `docker service update` and `scale` change them).
    await berth.docker.getService(web.ID).update({
      _query: { version: web.Version.Index },
      _body: { ...web.Spec, TaskTemplate: { ...web.Spec.TaskTemplate, ContainerSpec: { ...web.Spec.TaskTemplate.ContainerSpec, Image: tags.other } } },
    });
    await berth.docker.getService(worker.ID).update({ _query: { version: worker.Version.Index }, _body: { ...worker.Spec, Mode: { Replicated: { Replicas: 0 } } } });
    // Its route still points at the task that was replaced: nothing but the pass brings it back.
    await waitFor('web to run the other image', async () => {
      const running = await berth.docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${web.Spec.Name}`], status: ['running'] } });
      return running.length === 1 && running[0]?.ImageID === imageId(tags.other);
    }, 20_000, 100);

    await reconcileAllNow();
    expect((await service('web'))?.Spec.TaskTemplate.ContainerSpec.Image).toBe(imageId(tags.web));
    expect((await service('worker'))?.Spec.Mode.Replicated.Replicas).toBe(1);
    await waitFor('web to serve the release again', async () => (await throughTraefik(fx.host)).body.trim() === 'w1', 20_000, 100);
    const drifted = await events('service-drifted');
    expect([...new Set(drifted.map((e) => e.detail.service))].sort()).toEqual(['web', 'worker']);
    expect(drifted.every((e) => e.trigger === 'api')).toBe(true);

    // worker removed: made again under its name, with the release's labels.
    const name = ((await service('worker')) as SwarmService).Spec.Name;
    await berth.docker.getService(name).remove();
    await reconcileAllNow();
    const back = (await service('worker')) as SwarmService;
    expect(back.Spec.Name).toBe(name);
    expect(back.Spec.TaskTemplate.ContainerSpec.Image).toBe(imageId(tags.worker));
    expect((await events('service-missing')).map((e) => [e.detail.service, e.trigger])).toEqual([['worker', 'api']]);
    await waitFor('worker running', async () => (await runningTasks('worker')).length === 1, 20_000, 100);
  });

  test('a service of the stack the live release does not have (a colour a cut-short rollout left) is removed by the pass', async () => {
    const web = (await service('web')) as SwarmService;
    const strayName = `${web.Spec.Name}-left`;
    await berth.docker.createService({ ...web.Spec, Name: strayName, Mode: { Replicated: { Replicas: 0 } } });
    await reconcileAllNow();
    const left = await berth.docker.listServices({ filters: { name: [strayName] } });
    expect(left.filter((s) => s.Spec?.Name === strayName)).toEqual([]);
    expect((await events('service-stray')).map((e) => [e.detail.service, e.detail.detail, e.action])).toEqual([['web', strayName, 'service-removed']]);
    // The live release's own services are untouched.
    expect((await service('web'))?.ID).toBe(web.ID);
    expect((await throughTraefik(fx.host)).body.trim()).toBe('w1');
  });
});
