// Reconcile's other duties: stuck deployments (reported, then cancelled, then terminated so the
// lane moves on), the images of swept containers, and the image cleanup with its dry run.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { CONTROL_TASK_QUEUE } from '../../src/domain/task-queues.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy } from '../support/fixtures.js';
import { buildHello, imageExists, pushImage, removeImages } from '../support/images.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

let berth: TestBerth;
const local = 'berth-test/work:v1';
let pulled: string;

beforeAll(async () => {
  pulled = `${inject('services').registryHost}/work/pulled:1`;
  buildHello(local, { version: 'local' });
  buildHello(pulled, { version: 'pulled' });
  pushImage(pulled);
  removeImages(pulled);
  berth = await startBerth();
});

afterAll(async () => {
  await berth?.close();
  removeImages(local, pulled);
});

function runReconcile(stuck: { deadlineMs: number; noWorkerMs: number; policy: 'report' | 'cancel'; cancelGraceMs: number }) {
  return berth.temporal.workflow.execute('reconcileAll', {
    workflowId: `reconcile-test-${Date.now()}`,
    taskQueue: CONTROL_TASK_QUEUE,
    args: [{ hostId: berth.config.hostId, trigger: 'test', stuck }],
  }) as Promise<{ stuck: number }>;
}

async function metric(name: string): Promise<number> {
  const text = await (await berth.request('/metrics')).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

test('a deployment no worker can run is reported, cancelled, terminated, and the lane moves on', async () => {
  // A registered host whose worker never runs: a deploy there waits for it at its first step.
  expect((await berth.api('POST', '/api/v1/hosts', { id: 'nowhere', address: '127.0.0.9' })).status).toBe(201);
  const fx = await createImageApp(berth, { app: 'stuck', image: local, environment: { hostId: 'nowhere' } });
  const deploymentId = await deploy(berth, fx);
  await waitFor('the lane to run the stuck deploy', async () => (await berth.api('GET', `${fx.base}/lane`)).body.current === deploymentId);
  const queuedBehind = await deploy(berth, fx);
  // Placed back on the installation's own host: the one behind runs there when its turn comes.
  expect((await berth.api('PATCH', fx.base, { hostId: null })).status).toBe(200);

  const fast = { deadlineMs: 3_600_000, noWorkerMs: 300, cancelGraceMs: 0 };
  await new Promise((r) => setTimeout(r, 500));
  expect((await runReconcile({ ...fast, policy: 'report' })).stuck).toBe(1);
  expect(await metric('berth_deployments_stuck')).toBe(1);
  const reported = (await berth.api('GET', `/api/v1/reconcile/events?app=stuck&env=prod&drift=deployment-stuck`)).body.items;
  expect(reported[0]).toMatchObject({ action: 'reported', detail: { deploymentId } });
  expect(reported[0].detail.reasons.join()).toMatch(/launchRelease waits for a worker/);

  await runReconcile({ ...fast, policy: 'cancel' }); // asks the lane to cancel it
  await new Promise((r) => setTimeout(r, 300));
  await runReconcile({ ...fast, policy: 'cancel' }); // its undo cannot run either: terminated
  const d = await waitForDeployment(berth, deploymentId);
  expect(d.status).toBe('failed');
  expect(d.message).toMatch(/terminated as stuck/);
  const actions = (await berth.api('GET', `/api/v1/reconcile/events?app=stuck&env=prod&drift=deployment-stuck`)).body.items.map((e: { action: string }) => e.action);
  expect(actions).toEqual(expect.arrayContaining(['reported', 'cancel-requested', 'terminated']));

  // The lane was not blocked: the deployment queued behind it runs.
  expect((await waitForDeployment(berth, queuedBehind)).status).toBe('succeeded');
  expect(await metric('berth_deployments_stuck')).toBe(0);
});

test("when retention shrinks, reconcile removes the old release's container and the image Berth pulled for it", async () => {
  const fx = await createImageApp(berth, { app: 'sweep', environment: { retention: 2 } });
  expect((await waitForDeployment(berth, await deploy(berth, fx, pulled))).status).toBe('succeeded');
  expect((await waitForDeployment(berth, await deploy(berth, fx, local))).status).toBe('succeeded');
  const release = (await berth.api('GET', `${fx.base}/releases`)).body.items.find((r: { imageRef: string }) => r.imageRef === pulled);
  expect(imageExists(release.imagePinned)).toBe(true);
  expect((await berth.api('PATCH', fx.base, { retention: 1 })).status).toBe(200);
  const reconciled = await berth.api('POST', '/api/v1/reconcile', { wait: true });
  expect(reconciled.body.result.orphans).toBeGreaterThanOrEqual(1);
  expect((await berth.containers(fx.environmentId)).map((c) => c.Labels['berth.release'])).not.toContain(release.id);
  expect(imageExists(release.imagePinned)).toBe(false);
  expect(imageExists(local)).toBe(true); // never pulled by Berth: never removed
});

test('cleanup removes images Berth pulled that nothing retained uses, after a dry run that removes nothing', async () => {
  const fx = await createImageApp(berth, { app: 'clean', environment: { retention: 2 } });
  expect((await waitForDeployment(berth, await deploy(berth, fx, pulled))).status).toBe('succeeded');
  expect((await waitForDeployment(berth, await deploy(berth, fx, local))).status).toBe('succeeded');
  const release = (await berth.api('GET', `${fx.base}/releases`)).body.items.find((r: { imageRef: string }) => r.imageRef === pulled);
  // Its container removed behind Berth's back: no sweep sees the image, the cleanup does.
  for (const c of await berth.containers(fx.environmentId)) {
    if (c.Labels['berth.release'] === release.id) await berth.docker.getContainer(c.Id).remove({ force: true });
  }
  expect((await berth.api('PATCH', fx.base, { retention: 1 })).status).toBe(200);
  expect(imageExists(release.imagePinned)).toBe(true);

  const dry = await berth.api('POST', '/api/v1/cleanup', { dryRun: true });
  expect(dry.status).toBe(200);
  expect(dry.body.candidates.map((c: { reference: string }) => c.reference)).toContain(release.imagePinned);
  expect(dry.body.removed).toEqual([]);
  expect(dry.body.buildCache).toMatchObject({ reclaimedBytes: 0, unusedForHours: berth.config.reconcile.buildCacheMaxAgeHours });
  expect(imageExists(release.imagePinned)).toBe(true);

  const real = await berth.api('POST', '/api/v1/cleanup', { dryRun: false });
  expect(real.body.removed.length).toBeGreaterThanOrEqual(1);
  expect(imageExists(release.imagePinned)).toBe(false);
  expect(imageExists(local)).toBe(true); // never pulled by Berth: never removed
});

test('bad reconcile and cleanup requests are refused', async () => {
  expect((await berth.api('POST', '/api/v1/reconcile', { app: 'clean' })).status).toBe(400);
  expect((await berth.api('POST', '/api/v1/reconcile', { app: 'nope', env: 'prod' })).status).toBe(404);
  expect((await berth.api('POST', '/api/v1/cleanup', { dryRun: 'yes' })).status).toBe(400);
  const hours = await berth.api('POST', '/api/v1/cleanup', { dryRun: false, buildCacheUnusedForHours: -1 });
  expect(hours.status).toBe(400);
  expect(hours.body.error.issues[0].path).toBe('buildCacheUnusedForHours');
  expect((await berth.api('GET', '/api/v1/reconcile/events?limit=0')).status).toBe(400);
});
