// Stores verified deliveries, many per INSERT: the requests that arrive within one turn of the
// event loop, or while earlier statements run, share one statement (ON CONFLICT DO NOTHING
// RETURNING id), so a burst costs a few round trips instead of one per delivery. Each request learns whether its delivery was
// new. Two requests for the same delivery in one batch: the first is new, the second a
// duplicate, exactly as if they had come one after the other.
import { webhookDeliveries } from '../../db/schema/index.js';
import type { Db } from '../../db/client.js';

export type DeliveryRow = typeof webhookDeliveries.$inferInsert & { id: string };

/** Rows per statement at most (a delivery is at most the body limit; Postgres takes it). */
const MAX_BATCH = 200;
/** Statements in flight at once; while they run, the next batch grows (group commit). */
const MAX_IN_FLIGHT = 3;

interface Pending {
  row: DeliveryRow;
  resolve: (isNew: boolean) => void;
  reject: (err: unknown) => void;
}

export interface DeliveryWriter {
  /** Resolves true when the delivery was stored now, false when it was already there. */
  store(row: DeliveryRow): Promise<boolean>;
}

export function createDeliveryWriter(db: Db): DeliveryWriter {
  const batch: Pending[] = [];
  let scheduled = false;
  let inFlight = 0;

  const flush = async (pending: Pending[]) => {
    const first = new Map<string, Pending>();
    const repeats: Pending[] = [];
    for (const p of pending) {
      if (first.has(p.row.id)) repeats.push(p);
      else first.set(p.row.id, p);
    }
    try {
      const stored = await db
        .insert(webhookDeliveries)
        .values([...first.values()].map((p) => p.row))
        .onConflictDoNothing()
        .returning({ id: webhookDeliveries.id });
      const fresh = new Set(stored.map((r) => r.id));
      for (const [id, p] of first) p.resolve(fresh.has(id));
      for (const p of repeats) p.resolve(false);
    } catch (err) {
      for (const p of pending) p.reject(err);
    }
  };

  const run = () => {
    scheduled = false;
    while (batch.length > 0 && inFlight < MAX_IN_FLIGHT) {
      inFlight++;
      void flush(batch.splice(0, MAX_BATCH)).finally(() => {
        inFlight--;
        if (batch.length > 0 && !scheduled) run();
      });
    }
  };

  return {
    store(row) {
      return new Promise<boolean>((resolve, reject) => {
        batch.push({ row, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          // After the I/O callbacks of this turn: every request that arrived with this one joins.
          setImmediate(run);
        }
      });
    },
  };
}
