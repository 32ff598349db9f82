// Determinism guard: histories of real runs replay against the current workflow code without
// a non-determinism error — fresh ones from this run, and the recorded ones committed under
// test/fixtures/histories (RECORD_HISTORIES=1 rewrites those from this run).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { localActivitySplits } from '../support/split-histories.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const FIXTURES = new URL('../fixtures/histories/', import.meta.url).pathname;
const tags = { v1: 'berth-test/replay:v1', v2: 'berth-test/replay:v2', bad: 'berth-test/replay:bad', slow: 'berth-test/replay:slow' };
let berth: TestBerth;

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  buildHello(tags.bad, { version: 'bad', healthy: false });
  buildHello(tags.slow, { version: 'slow', startDelay: 2 });
  berth = await startBerth();
});

afterAll(async () => {
  await berth?.close();
  removeImages(...Object.values(tags));
});

type History = Awaited<ReturnType<ReturnType<TestBerth['temporal']['workflow']['getHandle']>['fetchHistory']>>;

async function replay(histories: { workflowId: string; history: History }[]) {
  const results = [];
  for await (const result of Worker.runReplayHistories(
    // Histories of this run are encrypted (src/temporal/payload-codec.ts); recorded ones from
    // before the codec have plain payloads, which the same converter passes through.
    { workflowsPath: WORKFLOWS_PATH, replayName: 'berth-replay', dataConverter: berth.dataConverter },
    histories,
  )) {
    results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : null });
  }
  return results;
}

test('every workflow history of a varied run replays deterministically', async () => {
  const fx = await createImageApp(berth, { app: 'replay', healthCheck: { startPeriodMs: 300, intervalMs: 100 } });
  for (const image of [tags.v1, tags.v2, tags.bad]) await waitForDeployment(berth, await deploy(berth, fx, image));
  const rollback = await berth.api('POST', `${fx.base}/rollback`, {});
  await waitForDeployment(berth, rollback.body.deploymentId);
  // A cancelled deploy and a superseded queued one.
  const slow = await deploy(berth, fx, tags.slow);
  const queued = await deploy(berth, fx, tags.v1);
  const newest = await deploy(berth, fx, tags.v2);
  await waitFor('slow to run', async () => (await berth.api('GET', `/api/v1/deployments/${slow}`)).body.status === 'running');
  await berth.api('POST', `/api/v1/deployments/${slow}/cancel`);
  for (const id of [slow, queued, newest]) await waitForDeployment(berth, id);

  // The lane plus six deploy workflows (the superseded request never started one).
  // (Reconcile workflows the schedule or Docker events started meanwhile are replayed too.)
  const listed = await waitFor('visibility to list every workflow', async () => {
    const all = [];
    for await (const info of berth.temporal.workflow.list()) all.push(info);
    return all.filter((i) => i.type === 'deployRelease' || i.type === 'environmentLane').length >= 7 ? all : undefined;
  });
  expect([...new Set(listed.map((i) => i.type))]).toEqual(expect.arrayContaining(['deployRelease', 'environmentLane']));
  const histories: { workflowId: string; history: History }[] = [];
  for (const info of listed) {
    histories.push({ workflowId: info.workflowId, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
  }

  const results = await replay(histories);
  expect(results.filter((r) => r.error)).toEqual([]);

  // The deploys' histories again, each local activity's marker split off from what followed it
  // in its task, as core writes them when a query is answered meanwhile (split-histories.ts).
  // The lanes' are left out: their patch checks after a local activity are a known gap.
  const deploys = histories.filter((h) => listed.find((i) => i.workflowId === h.workflowId)?.type === 'deployRelease');
  const splits = deploys.flatMap(({ workflowId, history }) => localActivitySplits(history).map((s) => ({ workflowId: `${workflowId} split ${s.at}`, history: s.history })));
  expect(splits.length).toBeGreaterThan(deploys.length);
  expect((await replay(splits)).filter((r) => r.error)).toEqual([]);

  if (process.env.RECORD_HISTORIES === '1') {
    for (const { workflowId, history } of histories) {
      writeFileSync(join(FIXTURES, `${workflowId.replace(/[^a-z0-9_-]/gi, '_')}.json`), historyToJSON(history));
    }
  }
});

const recorded = (f: string) => historyFromJSON(JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')));

test('deploys and lanes recorded since their patch checks come before local activities replay with any local activity split off its task', async () => {
  // Recorded from image (hot standby and tidy; watch), git (build host), static (watch) and
  // stack (canary with its worker killed; strategy and watch; verify and watch) deploys, and
  // lanes (a spread git app; a standby rollback).
  const files = readdirSync(FIXTURES).filter((f) => f.includes('--early-patches-'));
  expect(files.length).toBe(10);
  const splits = files.flatMap((f) => localActivitySplits(recorded(f)).map((s) => ({ workflowId: `${f} split ${s.at}`, history: s.history })));
  expect(splits.length).toBe(51);
  expect((await replay(splits)).filter((r) => r.error)).toEqual([]);
});

test('a stack canary recorded with its patch check after the phase record fails to replay split there', async () => {
  // What CI met: the check followed the rollout phase's record (a local activity) in the same
  // task; split after that record, the replay reaches the check a task before core announces
  // the marker. Histories recorded so before the fix stay unreplayable.
  const [afterRecord] = localActivitySplits(recorded('rolloutStack--stack-canary-worker-killed.json')).filter((s) => s.at.startsWith('after event 14 '));
  const [result] = await replay([{ workflowId: 'stack-canary split after its rollout record', history: (afterRecord as { history: History }).history }]);
  expect(result?.error).toMatch(/Non-deprecated patch marker encountered for change stack-strategies, but there is no corresponding change command/);
});

test('recorded histories replay against the current code', async () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  expect(files.length, 'recorded histories (RECORD_HISTORIES=1 npx vitest run test/integration/replay.test.ts)').toBeGreaterThan(0);
  const histories = files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: recorded(f) }));
  const results = await replay(histories);
  expect(results.filter((r) => r.error)).toEqual([]);
});
