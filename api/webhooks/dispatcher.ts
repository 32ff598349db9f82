// Hands stored deliveries to their intake workflows, off the request path. The webhook answers
// once the delivery is stored; this starts workflow delivery-<id> soon after, at the rate
// Temporal takes, and marks the row dispatched. The start is idempotent by workflow id, and
// a sweep picks up any row left undispatched (a crash between insert and start, Temporal
// briefly unreachable), so a delivery is never lost and never runs twice.
//
// Bursts come first: starting a workflow costs the Temporal server far more than storing a
// delivery costs Berth, and on a small machine they share the CPU. While deliveries arrive
// faster than BUSY_COUNT per BUSY_WINDOW_MS, starts wait (at most MAX_DEFER_MS in a row); the
// stored deliveries are dispatched as soon as the burst is over.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { and, asc, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { webhookDeliveries } from '../../db/schema/index.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { deliveryWorkflowId } from '../../src/domain/workflow-ids.js';
import type { Logger } from '../../src/logger.js';
import { startWorkflow } from '../../src/temporal/workflow-starts.js';

export interface DeliveryDispatcher {
  /** A delivery was stored (fresh: just now, by a request): start its intake workflow soon. */
  notify(deliveryId: string, fresh?: boolean): void;
  /** Starts the periodic sweep (and runs one now). */
  start(): void;
  /** Stops sweeping and waits (bounded) for starts in flight. */
  stop(): Promise<void>;
  /** Deliveries waiting or being started in this process. */
  pending(): number;
}

export interface DispatcherOptions {
  db: Db;
  temporal: Client;
  log: Logger;
  /** Workflow starts in flight at once. */
  concurrency?: number;
  sweepEveryMs?: number;
}

/** A row younger than this is left to the process that stored it. */
const SWEEP_GRACE_MS = 2_000;
const SWEEP_BATCH = 500;
const MARK_EVERY_MS = 50;
const STOP_WAIT_MS = 10_000;
const BUSY_WINDOW_MS = 250;
const BUSY_COUNT = 25;
const MAX_DEFER_MS = 30_000;

export function createDeliveryDispatcher({ db, temporal, log, concurrency = 8, sweepEveryMs = 5_000 }: DispatcherOptions): DeliveryDispatcher {
  const queue: string[] = [];
  const known = new Set<string>();
  let active = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let toMark: string[] = [];
  let marking: Promise<void> | null = null;
  let markTimer: NodeJS.Timeout | null = null;
  const arrivals: number[] = [];
  let busySince: number | null = null;
  let resumeTimer: NodeJS.Timeout | null = null;

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

  // Marks are batched: one UPDATE for many rows keeps the database out of the hot path.
  const flushMarks = async () => {
    markTimer = null;
    if (toMark.length === 0) return;
    const ids = toMark;
    toMark = [];
    try {
      await db.update(webhookDeliveries).set({ dispatchedAt: sql`now()` }).where(and(inArray(webhookDeliveries.id, ids), isNull(webhookDeliveries.dispatchedAt)));
    } catch (err) {
      // Unmarked rows are swept again; their start is idempotent.
      log.warn({ err, count: ids.length }, 'marking deliveries dispatched failed');
    }
  };
  const mark = (id: string) => {
    toMark.push(id);
    markTimer ??= setTimeout(() => {
      marking = flushMarks().finally(() => (marking = null));
    }, MARK_EVERY_MS);
  };

  const dispatch = async (deliveryId: string) => {
    try {
      await startWorkflow(temporal, WORKFLOWS.receiveDelivery, {
        workflowId: deliveryWorkflowId(deliveryId),
        args: [{ deliveryId }],
        // Even a finished intake of the same delivery is not run again.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `GitHub delivery ${deliveryId}`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        log.warn({ err, deliveryId }, 'starting intake workflow failed; the sweep retries');
        return;
      }
    }
    mark(deliveryId);
  };

  const pump = () => {
    if (!stopped && queue.length > 0 && deferring()) {
      resumeTimer ??= setTimeout(() => {
        resumeTimer = null;
        pump();
      }, BUSY_WINDOW_MS);
      return;
    }
    while (!stopped && active < concurrency && queue.length > 0) {
      const id = queue.shift() as string;
      active++;
      void dispatch(id).finally(() => {
        active--;
        known.delete(id);
        pump();
      });
    }
  };

  const sweep = async () => {
    try {
      const rows = await db
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .where(and(isNull(webhookDeliveries.dispatchedAt), lt(webhookDeliveries.receivedAt, new Date(Date.now() - SWEEP_GRACE_MS))))
        .orderBy(asc(webhookDeliveries.receivedAt))
        .limit(SWEEP_BATCH);
      for (const r of rows) dispatcher.notify(r.id, false);
    } catch (err) {
      log.warn({ err }, 'delivery sweep failed');
    }
  };

  const dispatcher: DeliveryDispatcher = {
    notify(deliveryId, fresh = true) {
      if (fresh) {
        arrivals.push(Date.now());
        if (arrivals.length > BUSY_COUNT * 4) arrivals.splice(0, arrivals.length - BUSY_COUNT * 4);
      }
      if (stopped || known.has(deliveryId)) return;
      known.add(deliveryId);
      queue.push(deliveryId);
      pump();
    },
    start() {
      if (timer) return;
      void sweep();
      timer = setInterval(() => void sweep(), sweepEveryMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (resumeTimer) clearTimeout(resumeTimer);
      const deadline = Date.now() + STOP_WAIT_MS;
      while (active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (markTimer) clearTimeout(markTimer);
      await marking;
      await flushMarks();
    },
    pending: () => queue.length + active,
  };
  return dispatcher;
}
