// The environment lane: one deployment at a time, latest-wins coalescing, cancelling a
// superseded deploy, fifo, and cancelling a queued one; a request arriving at an idle lane
// placed as it is recorded, and two arriving at once.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { deployWorkflowId } from '../../src/domain/workflow-ids.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { localActivityTypes } from '../support/local-activities.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const slow = 'berth-test/lane:slow';
const fast = (n: number) => `berth-test/lane:v${n}`;
let berth: TestBerth;

beforeAll(async () => {
  buildHello(slow, { version: 'slow', startDelay: 2 });
  for (const n of [1, 2, 3]) buildHello(fast(n), { version: `v${n}` });
  berth = await startBerth();
});

afterAll(async () => {
  await berth?.close();
  removeImages(slow, fast(1), fast(2), fast(3));
});

async function running(fx: AppFixture, id: string) {
  await waitFor(`${id} to run`, async () => (await berth.api('GET', `/api/v1/deployments/${id}`)).body.status === 'running');
}

/** Deployments that ran (not superseded while queued) never overlap in time. */
function assertOneAtATime(deployments: { startedAt: string | null; finishedAt: string }[]) {
  const ran = deployments.filter((d) => d.startedAt).sort((a, b) => Date.parse(a.startedAt as string) - Date.parse(b.startedAt as string));
  for (let i = 1; i < ran.length; i++) {
    expect(Date.parse(ran[i]?.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(ran[i - 1]?.finishedAt as string));
  }
}

test('latest-wins: while one deploys, of two more requests only the newest runs', async () => {
  const fx = await createImageApp(berth, { app: 'latest', healthCheck: { startPeriodMs: 5000 } });
  const d1 = await deploy(berth, fx, slow);
  await running(fx, d1);
  const d2 = await deploy(berth, fx, fast(2));
  const d3 = await deploy(berth, fx, fast(3));

  const lane = await berth.api('GET', `${fx.base}/lane`);
  expect(lane.body).toMatchObject({ current: d1, queued: [d3] });

  const [r1, r2, r3] = [await waitForDeployment(berth, d1), await waitForDeployment(berth, d2), await waitForDeployment(berth, d3)];
  expect(r1.status).toBe('succeeded');
  expect(r2.status).toBe('superseded');
  expect(r2.supersededBy).toBe(d3);
  expect(r2.startedAt).toBeNull();
  expect(r3.status).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v3');
  assertOneAtATime([r1, r2, r3]);
});

test('cancel-superseded: a newer request stops the running deploy before it takes traffic', async () => {
  const fx = await createImageApp(berth, {
    app: 'preempt',
    healthCheck: { startPeriodMs: 5000 },
    environment: { cancelSuperseded: true },
  });
  const first = await waitForDeployment(berth, await deploy(berth, fx, fast(1)));
  expect(first.status).toBe('succeeded');
  const d1 = await deploy(berth, fx, slow);
  await running(fx, d1);
  const d2 = await deploy(berth, fx, fast(2));
  const [r1, r2] = [await waitForDeployment(berth, d1), await waitForDeployment(berth, d2)];
  expect(r1.status).toBe('superseded');
  expect(r1.supersededBy).toBe(d2);
  expect(r2.status).toBe('succeeded');
  expect((await berth.containers(fx.environmentId)).filter((c) => c.Labels['berth.deployment'] === d1)).toEqual([]);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');
  assertOneAtATime([first, r1, r2]);
});

test('fifo: every request runs, in order; a queued one can be cancelled', async () => {
  const fx = await createImageApp(berth, { app: 'fifo', healthCheck: { startPeriodMs: 5000 }, environment: { queuePolicy: 'fifo' } });
  const d1 = await deploy(berth, fx, slow);
  await running(fx, d1);
  const d2 = await deploy(berth, fx, fast(1));
  const d3 = await deploy(berth, fx, fast(2));
  const d4 = await deploy(berth, fx, fast(3));
  const cancel = await berth.api('POST', `/api/v1/deployments/${d4}/cancel`);
  expect(cancel.body).toMatchObject({ status: 'cancelled' });

  const results = [];
  for (const id of [d1, d2, d3, d4]) results.push(await waitForDeployment(berth, id));
  expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'cancelled']);
  expect(results[3].startedAt).toBeNull();
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');
  assertOneAtATime(results);
});

test('the lane continues as new between deployments, carrying its queue and counts', async () => {
  const fx = await createImageApp(berth, { app: 'rolling', healthCheck: { startPeriodMs: 5000 }, environment: { queuePolicy: 'fifo' } });
  // A lane that rolls over after every second deployment (the default is 50).
  const laneId = `lane-${fx.environmentId}`;
  await berth.temporal.workflow.start('environmentLane', {
    workflowId: laneId,
    taskQueue: 'berth.control',
    args: [{ environmentId: fx.environmentId, deploysPerRun: 2 }],
  });
  const firstRun = (await berth.temporal.workflow.getHandle(laneId).describe()).runId;
  const d1 = await deploy(berth, fx, slow);
  await running(fx, d1);
  const ids = [d1, await deploy(berth, fx, fast(1)), await deploy(berth, fx, fast(2)), await deploy(berth, fx, fast(3))];
  const results = [];
  for (const id of ids) results.push(await waitForDeployment(berth, id));
  expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  assertOneAtATime(results);
  const description = await berth.temporal.workflow.getHandle(laneId).describe();
  expect(description.runId).not.toBe(firstRun);
  expect(description.status.name).toBe('RUNNING');
  const lane = await berth.api('GET', `${fx.base}/lane`);
  expect(lane.body).toMatchObject({ current: null, queued: [], completed: 4 });
  // The first run ended by continuing as new.
  const first = await berth.temporal.workflow.getHandle(laneId, firstRun).describe();
  expect(first.status.name).toBe('CONTINUED_AS_NEW');
});

test('an idle lane records, places and announces an arriving request in one local activity; a busy one places each at its turn', async () => {
  const fx = await createImageApp(berth, { app: 'arrival', healthCheck: { startPeriodMs: 5000 }, environment: { queuePolicy: 'fifo' } });
  const d1 = await deploy(berth, fx, slow);
  await running(fx, d1);
  const d2 = await deploy(berth, fx, fast(1));
  const results = [await waitForDeployment(berth, d1), await waitForDeployment(berth, d2)];
  expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  assertOneAtATime(results);
  // d1 found the lane idle: one local activity; d2 waited behind it: recorded, then placed at its turn.
  expect(await localActivityTypes(berth.temporal, `lane-${fx.environmentId}`)).toEqual(['recordAndPlace', 'enqueueDeployment', 'placeAndAnnounce']);
  // Both starts were announced by the lane, so neither deploy announced its own.
  for (const id of [d1, d2]) expect(await localActivityTypes(berth.temporal, deployWorkflowId(id))).not.toContain('announceStart');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
});

test('two requests at once on an idle lane, cancel-superseded: the later one runs, the other is superseded, one at a time', async () => {
  const fx = await createImageApp(berth, { app: 'race', healthCheck: { startPeriodMs: 5000 }, environment: { cancelSuperseded: true } });
  const versions = new Map([[fast(1), 'v1'], [fast(2), 'v2']]);
  for (let round = 0; round < 3; round++) {
    const images = round % 2 ? [fast(2), fast(1)] : [fast(1), fast(2)];
    const ids = await Promise.all(images.map((image) => deploy(berth, fx, image)));
    const results = [];
    for (const id of ids) results.push(await waitForDeployment(berth, id));
    const won = results.find((r) => r.status === 'succeeded');
    const lost = results.find((r) => r.status === 'superseded');
    expect(results.map((r) => r.status).sort()).toEqual(['succeeded', 'superseded']);
    expect(lost?.supersededBy).toBe(won?.id);
    assertOneAtATime(results);
    const image = images[ids.indexOf(won?.id as string)] as string;
    expect((await throughTraefik(fx.host)).body.trim()).toBe(versions.get(image));
    expect((await berth.containers(fx.environmentId)).filter((c) => c.Labels['berth.deployment'] === lost?.id)).toEqual([]);
  }
  const lane = await berth.api('GET', `${fx.base}/lane`);
  expect(lane.body).toMatchObject({ current: null, queued: [] });
  process.stdout.write(`lane race: local activities ${(await localActivityTypes(berth.temporal, `lane-${fx.environmentId}`)).join(', ')}\n`);
});
