// Hands stored deliveries to their intake workflows, off the request path. The webhook answers
// once the delivery is stored; soon after, this takes the stored deliveries not yet handed over
// from the database in batches (oldest first), groups them by repository and hands each group to
// that repository's intake workflow with one signal-with-start (intake-deliveries.ts), then marks
// the batch dispatched with one UPDATE. A burst of thousands costs a few Temporal calls, not a
// workflow start each (what kept dispatch minutes behind a burst).
//
// Bursts come first: the intake workflows' work (Temporal, the worker, the database) shares the
// machine with the requests. While deliveries arrive faster than BUSY_COUNT per BUSY_WINDOW_MS,
// hand-overs wait (at most MAX_DEFER_MS in a row); once the burst is over, its deliveries are
// handed over in a few batches, within a second or two. Several API processes share the table:
// each also counts the deliveries the database received within the window, so one that
// receives none of a burst waits it out too (it used to hand the burst over as it arrived).
//
// Nothing is lost: the rows are the queue. A crash before the mark leaves them undispatched and
// the next pass (or another process's sweep) hands them over again; the intake workflow drops a
// delivery it already has or already handled, so none runs twice.
import type { Client } from '@temporalio/client';
import { and, asc, count, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { webhookDeliveries } from '../../db/schema/index.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { deliveriesSignal } from '../../src/domain/workflow-definitions.js';
import { intakeKey, intakeWorkflowId } from '../../src/domain/workflow-ids.js';
import type { Logger } from '../../src/logger.js';
import { signalWithStart } from '../../src/temporal/workflow-starts.js';

export interface DeliveryDispatcher {
  /** A delivery was stored: hand stored deliveries over soon. */
  notify(deliveryId?: string): void;
  /** Starts the periodic sweep (and runs one now). */
  start(): void;
  /** Stops sweeping and waits (bounded) for a pass in flight. */
  stop(): Promise<void>;
  /** Deliveries taken in the pass in flight and not yet marked dispatched. */
  pending(): number;
}

export interface DispatcherOptions {
  db: Db;
  temporal: Client;
  log: Logger;
  /** Signal-with-starts in flight at once (one per repository of a batch). */
  concurrency?: number;
  sweepEveryMs?: number;
  /** Deliveries taken per batch. */
  batch?: number;
}

/** After a notification, wait this long so a burst's deliveries share a batch. */
const GATHER_MS = 100;
/** Delivery ids per signal (a few tens of kilobytes). */
const IDS_PER_SIGNAL = 500;
const STOP_WAIT_MS = 10_000;
const BUSY_WINDOW_MS = 250;
const BUSY_COUNT = 25;
const MAX_DEFER_MS = 30_000;

export function createDeliveryDispatcher({ db, temporal, log, concurrency = 8, sweepEveryMs = 5_000, batch = 1_000 }: DispatcherOptions): DeliveryDispatcher {
  let timer: NodeJS.Timeout | null = null;
  let gather: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let inHand = 0;
  const arrivals: number[] = [];
  let busySince: number | null = null;
  /** When the database began to show a burst this process did not receive itself. */
  let busyElsewhereSince: number | null = null;

  /** Deliveries are arriving in a burst that has not yet lasted MAX_DEFER_MS. */
  const deferring = () => {
    const now = Date.now();
    while (arrivals.length > 0 && (arrivals[0] as number) < now - BUSY_WINDOW_MS) arrivals.shift();
    if (arrivals.length < BUSY_COUNT) {
      busySince = null;
      return false;
    }
    busySince ??= now;
    return now - busySince < MAX_DEFER_MS;
  };

  /** Hands one batch over; false when nothing (more) is to be done now. */
  const passOnce = async (): Promise<boolean> => {
    const rows = await db
      .select({ id: webhookDeliveries.id, gitHostId: webhookDeliveries.gitHostId, repository: webhookDeliveries.repository })
      .from(webhookDeliveries)
      .where(isNull(webhookDeliveries.dispatchedAt))
      .orderBy(asc(webhookDeliveries.receivedAt))
      .limit(batch);
    if (rows.length === 0) return false;
    inHand = rows.length;
    const groups = new Map<string, string[]>();
    for (const r of rows) {
      const key = intakeKey(r.gitHostId, r.repository);
      const ids = groups.get(key) ?? [];
      ids.push(r.id);
      groups.set(key, ids);
    }
    const signals: [string, string[]][] = [];
    for (const [key, ids] of groups) for (let i = 0; i < ids.length; i += IDS_PER_SIGNAL) signals.push([key, ids.slice(i, i + IDS_PER_SIGNAL)]);
    const handed: string[] = [];
    let failed = 0;
    let next = 0;
    const lane = async () => {
      while (next < signals.length) {
        const [key, ids] = signals[next++] as [string, string[]];
        try {
          await signalWithStart(temporal, WORKFLOWS.intakeDeliveries, deliveriesSignal, {
            workflowId: intakeWorkflowId(key),
            args: [{ key }],
            signalArgs: [ids],
            staticSummary: `Webhook deliveries of ${key}`,
          });
          handed.push(...ids);
        } catch (err) {
          failed += ids.length;
          log.warn({ err, key, count: ids.length }, 'handing deliveries to their intake workflow failed; the sweep retries');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, signals.length) }, lane));
    if (handed.length > 0) {
      await db.update(webhookDeliveries).set({ dispatchedAt: sql`now()` }).where(and(inArray(webhookDeliveries.id, handed), isNull(webhookDeliveries.dispatchedAt)));
    }
    inHand = 0;
    // After a failure the sweep comes back later instead of hammering Temporal now.
    return failed === 0 && rows.length === batch;
  };

  /** Deliveries arrive in a burst the database shows (another process's arrivals as well as this one's). */
  const burstInDatabase = async (): Promise<boolean> => {
    const [row] = await db
      .select({ n: count() })
      .from(webhookDeliveries)
      .where(gt(webhookDeliveries.receivedAt, sql`now() - make_interval(secs => ${BUSY_WINDOW_MS / 1000})`));
    if ((row?.n ?? 0) < BUSY_COUNT) {
      busyElsewhereSince = null;
      return false;
    }
    // One limit for both: a burst this process deferred itself does not start a second 30 s.
    busyElsewhereSince ??= busySince ?? Date.now();
    return Date.now() - busyElsewhereSince < MAX_DEFER_MS;
  };

  const pass = async () => {
    try {
      if (await burstInDatabase()) {
        if (stopped) return;
        gather ??= setTimeout(() => {
          gather = null;
          run();
        }, BUSY_WINDOW_MS);
        return;
      }
      while (!stopped && (await passOnce()));
    } catch (err) {
      inHand = 0;
      log.warn({ err }, 'delivery dispatch failed; the sweep retries');
    }
  };

  /** One pass at a time; a request for one during a pass runs another after it. */
  const run = (): void => {
    if (stopped) return;
    if (deferring()) {
      gather ??= setTimeout(() => {
        gather = null;
        run();
      }, BUSY_WINDOW_MS);
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = pass().finally(() => {
      running = null;
      if (again) {
        again = false;
        run();
      }
    });
  };

  return {
    notify() {
      arrivals.push(Date.now());
      if (arrivals.length > BUSY_COUNT * 4) arrivals.splice(0, arrivals.length - BUSY_COUNT * 4);
      if (stopped || gather) return;
      gather = setTimeout(() => {
        gather = null;
        run();
      }, GATHER_MS);
    },
    start() {
      if (timer) return;
      run();
      timer = setInterval(run, sweepEveryMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (gather) clearTimeout(gather);
      await Promise.race([running, new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
    },
    pending: () => inHand,
  };
}
