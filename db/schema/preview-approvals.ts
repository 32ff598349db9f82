import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { apps } from './apps.js';

/**
 * A pull request from a fork waits here, per head commit, until someone with the deployer role
 * approves that commit (API or the app's label). A new push is a new commit: a new approval.
 */
export const previewApprovals = pgTable(
  'preview_approvals',
  {
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    headSha: text('head_sha').notNull(),
    head: text('head').notNull(),
    /** The fork: owner/name of the head repository (null when GitHub no longer knows it). */
    headRepository: text('head_repository'),
    repository: text('repository').notNull(),
    installationId: integer('installation_id'),
    templateEnvironmentId: text('template_environment_id').notNull(),
    idleSeconds: integer('idle_seconds').notNull(),
    deliveryId: text('delivery_id').notNull(),
    status: text('status', { enum: ['pending', 'approved'] }).notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** "usr_…" for an approval through the API, "github:<login>" for one by label. */
    approvedBy: text('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true, mode: 'date' }),
    /** The deployment the approval started. */
    deploymentId: text('deployment_id'),
  },
  (t) => [primaryKey({ columns: [t.appId, t.number, t.headSha] })],
);
