// The delivery dispatcher and the per-repository intake workflows, on the real database and
// Temporal server: stored deliveries are taken in batches and handed to one intake workflow per
// repository; a dispatcher that dies between handing a batch over and marking it, or a worker
// killed mid-burst, still gets every delivery handled, and none twice (counted from the intake
// workflows' own histories: one planDelivery per delivery).
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { and, count, eq, inArray, isNull, like } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createDeliveryDispatcher } from '../../api/webhooks/dispatcher.js';
import { webhookDeliveries } from '../../db/schema/index.js';
import { createLogger } from '../../src/logger.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { deliveriesSignal } from '../../src/domain/workflow-definitions.js';
import { intakeKey, intakeWorkflowId } from '../../src/domain/workflow-ids.js';
import { signalWithStart } from '../../src/temporal/workflow-starts.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { waitFor } from '../support/wait.js';
import { pushPayload } from '../support/webhooks.js';

let berth: TestBerth;
const log = createLogger({ level: 'warn', format: 'json' });
const run = randomUUID().slice(0, 8);

beforeAll(async () => {
  berth = await startBerth();
  // This file's own dispatchers are the only ones.
  await berth.dispatcher.stop();
});

afterAll(async () => {
  await berth?.close();
});

/** `n` stored pushes of `repository` (none deploys: no app builds from it), received a moment ago. */
async function store(repository: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${run}-${repository.replace('/', '_')}-${i}`);
  const payload = JSON.stringify(pushPayload({ repository, sha: 'a'.repeat(40), installationId: 1 }));
  for (let i = 0; i < ids.length; i += 500) {
    await berth.database.db.insert(webhookDeliveries).values(ids.slice(i, i + 500).map((id) => ({ id, event: 'push', repository, ref: 'refs/heads/main', payload })));
  }
  return ids;
}

const left = async (ids: string[], column: 'dispatchedAt' | 'processedAt') =>
  (await berth.database.db.select({ n: count() }).from(webhookDeliveries).where(and(inArray(webhookDeliveries.id, ids), isNull(webhookDeliveries[column]))))[0]?.n ?? 0;

async function allHandled(ids: string[]) {
  await waitFor('every delivery dispatched and handled', async () => ((await left(ids, 'dispatchedAt')) === 0 && (await left(ids, 'processedAt')) === 0 ? true : undefined), 120_000);
}

/**
 * planDelivery activities scheduled over every run of the repository's intake workflow: one per
 * delivery when none was handled twice.
 */
async function plans(repository: string): Promise<number> {
  let n = 0;
  const workflowId = intakeWorkflowId(intakeKey(null, repository));
  for await (const info of berth.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    const history = await berth.temporal.workflow.getHandle(workflowId, info.runId).fetchHistory();
    for (const event of history.events ?? []) if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'planDelivery') n++;
  }
  return n;
}

test('stored deliveries are handed over in batches, one intake workflow per repository, each handled once', async () => {
  const a = await store(`org-${run}/a`, 1200);
  const b = await store(`org-${run}/b`, 30);
  const dispatcher = createDeliveryDispatcher({ db: berth.database.db, temporal: berth.temporal, log, batch: 500, sweepEveryMs: 500 });
  dispatcher.start();
  try {
    await allHandled([...a, ...b]);
  } finally {
    await dispatcher.stop();
  }
  const outcomes = await berth.database.db.select({ outcome: webhookDeliveries.outcome, n: count() }).from(webhookDeliveries).where(like(webhookDeliveries.id, `${run}-%`)).groupBy(webhookDeliveries.outcome);
  expect(outcomes).toEqual([{ outcome: 'no-match', n: 1230 }]);
  // One workflow per repository, no per-delivery workflows.
  expect(await plans(`org-${run}/a`)).toBe(1200);
  expect(await plans(`org-${run}/b`)).toBe(30);
  let perDelivery = 0;
  for await (const _ of berth.temporal.workflow.list({ query: `WorkflowId STARTS_WITH "delivery-${run}"` })) perDelivery++;
  expect(perDelivery).toBe(0);

  // The intake workflow's history replays against the current code (one is kept under
  // test/fixtures/histories, recorded with RECORD_HISTORIES_DIR, for replay.test.ts).
  const workflowId = intakeWorkflowId(intakeKey(null, `org-${run}/b`));
  const history = await berth.temporal.workflow.getHandle(workflowId).fetchHistory();
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'intake-replay', dataConverter: berth.dataConverter }, [{ workflowId, history }])) results.push(r.error ? String(r.error) : null);
  expect(results).toEqual([null]);
});

test('a dispatcher that died after handing a batch over but before marking it: handed over again, handled once', async () => {
  const repository = `org-${run}/crash`;
  const ids = await store(repository, 300);
  const key = intakeKey(null, repository);
  // What the dead dispatcher did: the batch reached the intake workflow, the mark never happened.
  await signalWithStart(berth.temporal, WORKFLOWS.intakeDeliveries, deliveriesSignal, { workflowId: intakeWorkflowId(key), args: [{ key }], signalArgs: [ids] });
  // Part of it twice more, as a second dispatcher might, while the first copy is being handled.
  await signalWithStart(berth.temporal, WORKFLOWS.intakeDeliveries, deliveriesSignal, { workflowId: intakeWorkflowId(key), args: [{ key }], signalArgs: [ids.slice(0, 100)] });
  expect(await left(ids, 'dispatchedAt')).toBe(300);
  const dispatcher = createDeliveryDispatcher({ db: berth.database.db, temporal: berth.temporal, log, batch: 100, sweepEveryMs: 500 });
  dispatcher.start();
  try {
    await allHandled(ids);
    // Handled already, the mark lost again: the next pass hands them over once more, and the
    // workflow drops them (handled in an earlier step or run).
    await berth.database.db.update(webhookDeliveries).set({ dispatchedAt: null }).where(inArray(webhookDeliveries.id, ids.slice(0, 50)));
    dispatcher.notify();
    await allHandled(ids);
  } finally {
    await dispatcher.stop();
  }
  expect(await plans(repository)).toBe(300);
});

test('a worker killed mid-burst: a new worker handles every delivery, none twice', async () => {
  await berth.stopWorkers();
  const repository = `org-${run}/worker-crash`;
  const first = await berth.spawnWorker();
  const ids = await store(repository, 2000);
  const dispatcher = createDeliveryDispatcher({ db: berth.database.db, temporal: berth.temporal, log, sweepEveryMs: 500 });
  dispatcher.start();
  try {
    // Killed once some, not all, are handled.
    await waitFor('part of the burst to be handled', async () => ((await left(ids, 'processedAt')) < 1900 ? true : undefined), 60_000, 20);
    first.kill('SIGKILL');
    expect(await left(ids, 'processedAt')).toBeGreaterThan(0);
    const second = await berth.spawnWorker();
    try {
      await allHandled(ids);
    } finally {
      second.kill('SIGTERM');
    }
  } finally {
    first.kill('SIGKILL'); // (a no-op once killed above)
    await dispatcher.stop();
    await berth.startWorkers();
  }
  const done = await berth.database.db.select({ n: count() }).from(webhookDeliveries).where(and(like(webhookDeliveries.id, `${run}-org-${run}_worker-crash-%`), eq(webhookDeliveries.outcome, 'no-match')));
  expect(done).toEqual([{ n: 2000 }]);
  expect(await plans(repository)).toBe(2000);
}, 300_000); // two worker starts and 2,000 deliveries: minutes on a loaded 2-core machine


test('a burst another API process receives: this one hands nothing over until it is over, then everything', async () => {
  const repository = `org-${run}/elsewhere`;
  const payload = JSON.stringify(pushPayload({ repository, sha: 'b'.repeat(40), installationId: 1 }));
  // This dispatcher is never notified (the deliveries reach another process) and sweeps often.
  const dispatcher = createDeliveryDispatcher({ db: berth.database.db, temporal: berth.temporal, log, sweepEveryMs: 100 });
  const ids: string[] = [];
  try {
    // A burst from its first moment: 30 at once, then 30 every 50 ms or so for 2 s, as the other
    // process would store them (25 within 250 ms make a burst: a loop turn slowed to 250 ms by a
    // busy machine still keeps it one).
    const arrive = async (n: number) => {
      const batch = Array.from({ length: n }, () => `${run}-elsewhere-${randomUUID().slice(0, 8)}`);
      ids.push(...batch);
      await berth.database.db.insert(webhookDeliveries).values(batch.map((id) => ({ id, event: 'push', repository, ref: 'refs/heads/main', payload })));
    };
    await arrive(30);
    // It sweeps from inside the burst (its first rows could otherwise go before any burst shows).
    dispatcher.start();
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      await arrive(30);
      // A sweep every 100 ms all along: none handed any of the burst over.
      expect(await left(ids, 'dispatchedAt')).toBe(ids.length);
    }
    expect(ids.length).toBeGreaterThan(250);
    await allHandled(ids);
  } finally {
    await dispatcher.stop();
  }
  expect(await plans(repository)).toBe(ids.length);
}, 240_000); // up to ~1,200 deliveries handled after the burst, on a loaded 2-core machine
