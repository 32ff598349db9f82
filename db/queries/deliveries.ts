import { and, desc, eq, getTableColumns, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { webhookDeliveries } from '../schema/index.js';

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export interface DeliveryQuery {
  event?: string | undefined;
  repository?: string | undefined;
  outcome?: string | undefined;
  /** Continue below this received-at time (ISO), newest first. */
  before?: Date | undefined;
  limit: number;
}

/** Deliveries, newest first, without their payloads. */
export async function listDeliveries(db: Db, q: DeliveryQuery) {
  const where: SQL[] = [];
  if (q.event) where.push(eq(webhookDeliveries.event, q.event));
  if (q.repository) where.push(eq(webhookDeliveries.repository, q.repository));
  if (q.outcome) where.push(eq(webhookDeliveries.outcome, q.outcome as DeliveryRow['outcome']));
  if (q.before) where.push(lt(webhookDeliveries.receivedAt, q.before));
  const { payload: _payload, ...columns } = getTableColumns(webhookDeliveries);
  return db
    .select(columns)
    .from(webhookDeliveries)
    .where(and(...where))
    .orderBy(desc(webhookDeliveries.receivedAt))
    .limit(q.limit);
}

export async function getDelivery(db: Db, id: string): Promise<DeliveryRow | undefined> {
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  return row;
}
