import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

import type { DeliveryOutcome, DeliveryResult } from '../../src/domain/webhook-delivery.js';

export type { DeliveryOutcome, DeliveryResult };

/** Every verified webhook delivery, stored once (GitHub's delivery id is the key). */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    /** X-GitHub-Delivery; for another host <git host id>-<its delivery id>. */
    id: text('id').primaryKey(),
    /** The git host connection (ghc_…) or generic webhook (whk_…) it came through; null: GitHub. */
    gitHostId: text('git_host_id'),
    event: text('event').notNull(),
    action: text('action'),
    repository: text('repository'),
    installationId: bigint('installation_id', { mode: 'number' }),
    ref: text('ref'),
    sha: text('sha'),
    /** The raw body as received (and verified); read by the intake workflow's activity. */
    payload: text('payload').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** When its intake workflow was started; null rows are what the dispatcher still owes. */
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true, mode: 'date' }),
    processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }),
    outcome: text('outcome').$type<DeliveryOutcome>().notNull().default('pending'),
    message: text('message'),
    results: jsonb('results').$type<DeliveryResult[]>().notNull().default([]),
  },
  (t) => [
    index('webhook_deliveries_received').on(t.receivedAt),
    index('webhook_deliveries_undispatched').on(t.receivedAt).where(sql`${t.dispatchedAt} is null`),
  ],
);
