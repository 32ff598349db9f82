// Berth on Temporal's own server with PostgreSQL persistence, the production engine (the rest
// of the suite runs on the CLI's dev server): built from the Go module proxy by setup, its four
// services in one process, its two databases on a PostgreSQL cluster of the test's own. Two
// Berths (each an API and a worker) share one database, one namespace and the host's task
// queues, as two API processes and two workers of one installation do: deploys and a rollback
// asked of either one after the other, then a burst asked of both at once, leave one live
// release with one container per replica and every deployment ended once; the server SIGKILLed
// in the middle of a deploy comes back and the deploy finishes; the histories replay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { FINAL_STATUSES } from '../../src/domain/deployment.js';
import { LABEL } from '../../src/domain/labels.js';
import { deployWorkflowId } from '../../src/domain/workflow-ids.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { startTemporalServer, type TemporalServer } from '../support/temporal-server.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/tserver:v1', v2: 'berth-test/tserver:v2', v3: 'berth-test/tserver:v3' };
const REPLICAS = 2;
let dir: string;
let pg: PostgresCluster;
let server: TemporalServer;
let one: TestBerth;
let two: TestBerth;
let fx: AppFixture;
const deployments: string[] = [];

beforeAll(async () => {
  for (const [version, tag] of Object.entries(tags)) buildHello(tag, { version });
  dir = mkdtempSync(join(tmpdir(), 'berth-tserver-'));
  pg = await startPostgresCluster({ durable: true });
  server = await startTemporalServer({ toolsDir: inject('services').toolsDir, pg, dir, namespaces: ['berth'] });
  const onServer = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'berth' };
  one = await startBerth({ env: onServer });
  // The second: the first's database, instance and key; its own API and worker.
  two = await startBerth({ env: { ...onServer, DATABASE_URL: one.env.DATABASE_URL as string, BERTH_INSTANCE: one.config.instance, BERTH_SECRET_KEY: one.env.BERTH_SECRET_KEY as string } });
  fx = await createImageApp(one, { app: 'tserver', replicas: REPLICAS, healthCheck: { intervalMs: 100, startPeriodMs: 5000 } });
}, 300_000);

afterAll(async () => {
  await two?.close();
  await one?.close();
  await server?.stop();
  pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  removeImages(...Object.values(tags));
});

/** One running container per replica, all of the live release; none other running. */
async function expectOneLiveRelease(): Promise<string> {
  const env = (await one.api('GET', fx.base)).body as { liveReleaseId: string };
  const running = (await one.containers(fx.environmentId)).filter((c) => c.State === 'running');
  expect(running.map((c) => c.Labels[LABEL.release])).toEqual(Array(REPLICAS).fill(env.liveReleaseId));
  expect(new Set(running.map((c) => c.Labels[LABEL.replica])).size).toBe(REPLICAS);
  return env.liveReleaseId;
}

test('deploys and a rollback asked of either Berth run on the server, one after the other', async () => {
  for (const [berth, tag, version] of [[one, tags.v1, 'v1'], [two, tags.v2, 'v2']] as const) {
    const id = await deploy(berth, fx, tag);
    deployments.push(id);
    const d = await waitForDeployment(one, id, 120_000);
    expect(d.status, d.message).toBe('succeeded');
    expect((await throughTraefik(fx.host)).body.trim()).toBe(version);
  }
  const back = await two.api('POST', `${fx.base}/rollback`, {});
  expect(back.status, JSON.stringify(back.body)).toBe(202);
  deployments.push(back.body.deploymentId);
  const r = await waitForDeployment(one, back.body.deploymentId, 120_000);
  expect(r.status, r.message).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
  await expectOneLiveRelease();
}, 300_000);

test('a burst of deploys asked of both Berths at once: the lane takes them in turn, each ends once, one release is live', async () => {
  const asked = await Promise.all(
    Array.from({ length: 6 }, (_, i) => deploy(i % 2 ? two : one, fx, i % 2 ? tags.v3 : tags.v2)),
  );
  deployments.push(...asked);
  expect(new Set(asked).size).toBe(asked.length);
  const ended = await Promise.all(asked.map((id) => waitForDeployment(one, id, 240_000)));
  for (const d of ended) expect(FINAL_STATUSES, `${d.id}: ${d.status} ${d.message}`).toContain(d.status);
  expect(ended.some((d) => d.status === 'succeeded')).toBe(true);
  expect(ended.filter((d) => d.status === 'failed').map((d) => d.message)).toEqual([]);
  // Every deployment ran in exactly one workflow, on the server.
  for (const id of asked) {
    const described = await one.temporal.workflow.getHandle(deployWorkflowId(id)).describe().catch(() => null);
    if (described) expect(described.status.name).toBe('COMPLETED');
  }
  const live = await expectOneLiveRelease();
  // The lane's order is the order the requests arrived, not the order they were asked in: the
  // release that went live last is the one of the deployment that finished last.
  const succeeded = ended.filter((d) => d.status === 'succeeded').sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  const last = succeeded.at(-1) as { releaseId: string };
  expect(live).toBe(last.releaseId);
  // The lane is intact: the next deploy runs at once.
  const next = await deploy(two, fx, tags.v1);
  deployments.push(next);
  expect((await waitForDeployment(one, next, 120_000)).status).toBe('succeeded');
}, 400_000);

test('the server SIGKILLed in the middle of a deploy: back on its database, the deploy finishes', async () => {
  const id = await deploy(one, fx, tags.v2);
  deployments.push(id);
  await waitFor('the deploy to run', async () => (await one.api('GET', `/api/v1/deployments/${id}`)).body.status === 'running', 60_000, 20);
  await sleep(150);
  await server.process.kill();
  await server.restart();
  const d = await waitForDeployment(one, id, 180_000);
  expect(d.status, d.message).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');
  await expectOneLiveRelease();
}, 300_000);

test("these deploys' histories, kept by the server, replay against the current code", async () => {
  const histories = [];
  for (const id of deployments) {
    const handle = one.temporal.workflow.getHandle(deployWorkflowId(id));
    const history = await handle.fetchHistory().catch(() => null);
    if (history) histories.push({ workflowId: handle.workflowId, history });
  }
  expect(histories.length).toBeGreaterThanOrEqual(5);
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: one.dataConverter, replayName: 'berth-tserver-replay' }, histories)) {
    expect(result.error ? String(result.error) : null, result.workflowId).toBe(null);
  }
}, 120_000);
