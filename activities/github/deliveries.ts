// The intake workflow's last step: what the delivery did, for the deliveries list.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { webhookDeliveries, type DeliveryOutcome, type DeliveryResult } from '../../db/schema/index.js';

export function createDeliveryStore(db: Db) {
  return {
    async recordDeliveryOutcome(input: { deliveryId: string; outcome: DeliveryOutcome; message: string; results: DeliveryResult[] }): Promise<void> {
      await db
        .update(webhookDeliveries)
        .set({ outcome: input.outcome, message: input.message.slice(0, 2000), results: input.results, processedAt: sql`now()` })
        .where(eq(webhookDeliveries.id, input.deliveryId));
    },
  };
}
