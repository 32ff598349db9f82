import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { DeploymentStatus, DeployRequestKind } from '../../src/domain/deployment.js';
import type { SpreadShare } from '../../src/domain/spread.js';
import { apps } from './apps.js';
import { environments } from './environments.js';

/** One attempt to make a release live. */
export const deployments = pgTable(
  'deployments',
  {
    id: text('id').primaryKey(),
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    environmentId: text('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<DeployRequestKind>().notNull(),
    trigger: text('trigger').notNull(),
    /** The request as made: image reference, or the release to roll back to. */
    request: jsonb('request').$type<Record<string, unknown>>().notNull(),
    releaseId: text('release_id'),
    /**
     * A spread deploy, written when it went live: the hosts it runs on and each one's replica
     * indices (reconcile heals each host's share and routes to the hosts that answer); null: one host.
     */
    spreadHosts: jsonb('spread_hosts').$type<SpreadShare[]>(),
    status: text('status').$type<DeploymentStatus>().notNull(),
    message: text('message'),
    errorType: text('error_type'),
    workflowId: text('workflow_id').notNull(),
    supersededBy: text('superseded_by'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('deployments_env_created').on(t.environmentId, t.createdAt), index('deployments_status').on(t.status)],
);
