// Berth's metrics as a real Prometheus sees them: Debian's prometheus scrapes the API's
// /metrics (with a token), the worker's own /metrics, the Temporal SDK's runtime telemetry and
// Traefik's metrics, while an app is deployed, takes traffic and has a container killed; each
// family is then found with PromQL, with the labels a dashboard groups by.
import { readFileSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { CONTROL_TASK_QUEUE } from '../../src/domain/task-queues.js';
import { deployWorkflowId, laneWorkflowId } from '../../src/domain/workflow-ids.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { freePort } from '../support/free-port.js';
import { buildHello, removeImages } from '../support/images.js';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const image = 'berth-test/prom:v1';
let berth: TestBerth;
let prometheus: TestPrometheus;
let server: ServerType;
let fx: AppFixture;

beforeAll(async () => {
  buildHello(image, { version: 'v1' });
  const [workerPort, temporalPort] = [await freePort(), await freePort()];
  berth = await startBerth({
    env: {
      BERTH_WORKER_METRICS_LISTEN: `127.0.0.1:${workerPort}`,
      BERTH_TEMPORAL_METRICS_LISTEN: `127.0.0.1:${temporalPort}`,
      BERTH_CONTAINER_SAMPLE_SECONDS: '1',
    },
  });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: berth.app.fetch, hostname: '127.0.0.1', port: berth.config.api.port }, () => resolve(s));
  });
  const traefik = new URL(inject('services').traefik.apiUrl);
  prometheus = await startPrometheus([
    { job: 'berth-api', address: `127.0.0.1:${berth.config.api.port}`, bearerToken: berth.token },
    { job: 'berth-worker', address: `127.0.0.1:${workerPort}` },
    { job: 'temporal-sdk', address: `127.0.0.1:${temporalPort}` },
    { job: 'traefik', address: traefik.host },
  ]);

  fx = await createImageApp(berth, { app: 'shop', image, replicas: 2 });
  expect((await waitForDeployment(berth, await deploy(berth, fx))).status).toBe('succeeded');
  for (let i = 0; i < 20; i++) await throughTraefik(fx.host, i % 4 === 0 ? '/missing' : '/');
  // An unsigned delivery: the webhook intake counts the refusal.
  expect((await fetch(`http://127.0.0.1:${berth.config.api.port}/webhooks/github`, { method: 'POST', body: '{}' })).status).toBe(401);
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await berth?.close();
  removeImages(image);
});

/** Waits until Prometheus has scraped a series the query matches. */
function found(promql: string, timeoutMs = 45_000) {
  return waitFor(`Prometheus to have ${promql}`, async () => {
    const result = await prometheus.query(promql);
    return result.length ? result : undefined;
  }, timeoutMs, 500);
}

test('Prometheus scrapes every target', async () => {
  const targets = await waitFor('all targets up', async () => {
    const t = await prometheus.targets();
    return Object.values(t).length === 4 && Object.values(t).every((h) => h === 'up') ? t : undefined;
  }, 30_000, 500).catch(async () => prometheus.targets());
  expect(targets).toEqual({ 'berth-api': 'up', 'berth-worker': 'up', 'temporal-sdk': 'up', traefik: 'up' });
});

test('deployments by kind and outcome, and phase durations by phase', async () => {
  const [finished] = await found('berth_deployments_finished_total{kind="deploy",outcome="succeeded"}');
  expect(Number(finished?.value[1])).toBeGreaterThanOrEqual(1);
  expect(await found('berth_deployments{status="succeeded"}')).toHaveLength(1);
  // Every finished phase of the deploy is counted in its +Inf bucket and in no bucket below 0.
  const health = await found('berth_deployment_phase_duration_seconds_bucket{phase="health",outcome="succeeded",le="+Inf"}');
  expect(Number(health[0]?.value[1])).toBe(1);
  const p95 = await found('histogram_quantile(0.95, sum by (le, phase) (berth_deployment_phase_duration_seconds_bucket{phase="route"}))');
  expect(Number(p95[0]?.value[1])).toBeGreaterThan(0);
  expect(await found('berth_deployments_stuck')).toHaveLength(1);
});

test("the API's own requests by route template, method and status class", async () => {
  const rows = await found('berth_http_requests_total{route="/api/v1/apps/:app/environments/:env/deployments",method="POST",status_class="2xx"}');
  expect(Number(rows[0]?.value[1])).toBeGreaterThanOrEqual(1);
  // Never a raw path with ids in it.
  const routes = (await found('berth_http_requests_total')).map((r) => r.metric.route ?? '');
  expect(routes.filter((r) => r.includes('shop'))).toEqual([]);
  expect(await found('berth_http_request_duration_seconds_bucket{route="/metrics",status_class="2xx",le="+Inf"}')).toHaveLength(1);
});

test('webhook intake counters', async () => {
  const [refused] = await found('berth_webhook_deliveries_total{outcome="rejected_signature"} == 1');
  expect(refused?.metric.job).toBe('berth-api');
  expect(await found('berth_webhook_deliveries_total{outcome="accepted"}')).toHaveLength(1);
});

test("each replica's container figures, sampled by the worker, named by app and environment", async () => {
  for (const family of ['berth_container_cpu_seconds_total', 'berth_container_memory_bytes', 'berth_container_network_receive_bytes_total', 'berth_container_network_transmit_bytes_total', 'berth_container_restarts_total', 'berth_container_oom_killed']) {
    const rows = await found(`${family}{app="shop",environment="prod"}`);
    expect(rows.map((r) => r.metric.replica).sort(), family).toEqual(['0', '1']);
  }
  const [memory] = await found('berth_container_memory_bytes{app="shop",environment="prod",replica="0"}');
  expect(Number(memory?.value[1])).toBeGreaterThan(0);
  const [cpu] = await found('rate(berth_container_cpu_seconds_total{app="shop",replica="0"}[5s]) >= 0', 20_000);
  expect(cpu?.metric.environment).toBe('prod');
});

test("Traefik's request rate, latency and status classes per environment's router and service", async () => {
  const router = `berth-${fx.environmentId}@file`;
  // At least the test's 15 (Berth's own route checks go through the router too).
  const ok = await found(`sum(traefik_router_requests_total{router="${router}",code="200"}) >= 15`);
  expect(ok).toHaveLength(1);
  const [missing] = await found(`sum(traefik_service_requests_total{service="${router}",code="404"}) == 5`);
  expect(Number(missing?.value[1])).toBe(5);
  expect(await found(`traefik_service_request_duration_seconds_bucket{service="${router}",le="+Inf"}`)).not.toHaveLength(0);
  // Traefik knows the environment by id; berth_environment_info puts the names on its series.
  const [named] = await found(`sum by (app, environment) (traefik_service_requests_total * on (service) group_left (app, environment) berth_environment_info) >= 20`);
  expect(named?.metric).toEqual({ app: 'shop', environment: 'prod' });
  const [deployed] = await found('berth_environment_deployed_timestamp_seconds{app="shop",environment="prod"}');
  expect(Number(deployed?.value[1])).toBeGreaterThan(Date.now() / 1000 - 600);
});

test("the Temporal SDK's worker metrics per task queue", async () => {
  const ns = berth.config.temporal.namespace;
  const slots = await found(`temporal_worker_task_slots_available{namespace="${ns}",task_queue="${CONTROL_TASK_QUEUE}"}`);
  expect(slots.map((s) => s.metric.worker_type)).toContain('WorkflowWorker');
  expect(await found(`temporal_workflow_task_execution_latency_count{namespace="${ns}"}`)).not.toHaveLength(0);
});

test('restarts and reconcile findings, and a lane queue', async () => {
  // A replica whose process ends: the engine restarts it (its restart policy), the worker's
  // sample counts the restart, and reconcile (on Docker's events) records what it found and did.
  const [victim] = await berth.containers(fx.environmentId);
  const exec = await berth.docker.getContainer(victim?.Id ?? '').exec({ Cmd: ['kill', '-TERM', '1'] });
  await exec.start({ Detach: true });
  const replica = victim?.Labels['berth.replica'];
  await found(`berth_container_restarts_total{app="shop",environment="prod",replica="${replica}"} >= 1`);
  const recorded = await waitFor('a reconcile event', async () => (await berth.api('GET', '/api/v1/reconcile/events?app=shop&env=prod')).body.items[0]);
  const [finding] = await found(`berth_reconcile_events_total{drift="${recorded.drift}",action="${recorded.action}",outcome="${recorded.outcome}"} >= 1`);
  expect(finding?.metric.job).toBe('berth-api');

  // A deploy no worker can run holds the lane: an environment placed on a registered host whose
  // worker never runs. The one behind it waits in the queue.
  expect((await berth.api('POST', '/api/v1/hosts', { id: 'nowhere', address: '127.0.0.9' })).status).toBe(201);
  const created = await berth.api('POST', '/api/v1/apps/shop/environments', { name: 'held', drainSeconds: 0, hostId: 'nowhere' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const heldEnv = { ...fx, env: 'held', environmentId: created.body.id as string, host: created.body.hosts[0] as string, base: '/api/v1/apps/shop/environments/held' };
  const held = await deploy(berth, heldEnv, image);
  await waitFor('the lane to run the held deploy', async () => (await berth.api('GET', `${heldEnv.base}/lane`)).body.current === held);
  const queued = await deploy(berth, heldEnv, image);
  const lane = (await berth.api('GET', `${heldEnv.base}/lane`)).body;
  expect(lane.current, JSON.stringify(lane)).toBe(held);
  expect((await berth.api('GET', `/api/v1/deployments/${queued}`)).body.status).toBe('queued');
  const direct = (await (await berth.request('/metrics')).text()).split('\n').filter((l) => l.startsWith('berth_lane_queue_depth') || l.startsWith('berth_deployments{'));
  // The one behind waits; the held one counts too while it has not started (its first step waits for a worker).
  const [depth] = await found('berth_lane_queue_depth{app="shop",environment="held"} >= 1').catch((e: unknown) => {
    throw new Error(`${String(e)}; /metrics has ${JSON.stringify(direct)}`);
  });
  expect(depth?.metric).toMatchObject({ app: 'shop', environment: 'held', job: 'berth-api' });
  // Neither can finish here (no worker serves "nowhere"): end the held one's workflow and the lane's.
  expect((await berth.api('POST', `/api/v1/deployments/${queued}/cancel`, {})).status).toBeLessThan(300);
  for (const id of [deployWorkflowId(held), laneWorkflowId(heldEnv.environmentId)]) await berth.temporal.workflow.getHandle(id).terminate('test over').catch(() => undefined);
});

test("the Grafana dashboard's every query is PromQL this Prometheus runs, and its app panels have data", async () => {
  const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana/berth.json', import.meta.url), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
    annotations: { list: { expr: string }[] };
  };
  const concrete = (expr: string) => expr.replaceAll('$app', 'shop').replaceAll('$environment', 'prod').replaceAll('$__rate_interval', '30s');
  for (const expr of dashboard.annotations.list.map((a) => a.expr)) await prometheus.query(concrete(expr));
  for (const panel of dashboard.panels) for (const t of panel.targets) await prometheus.query(concrete(t.expr));
  for (const title of ['Requests per second', 'Latency p95', 'Container CPU (cores)', 'Container memory', 'Deployments finished (per hour)']) {
    const panel = dashboard.panels.find((p) => p.title === title);
    expect(await found(concrete(panel?.targets[0]?.expr ?? '')), title).not.toHaveLength(0);
  }
});
