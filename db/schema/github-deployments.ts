import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The GitHub Deployment made for a Berth deployment, so a retried report never makes two. */
export const githubDeployments = pgTable('github_deployments', {
  deploymentId: text('deployment_id').primaryKey(),
  repository: text('repository').notNull(),
  sha: text('sha').notNull(),
  environment: text('environment').notNull(),
  githubDeploymentId: bigint('github_deployment_id', { mode: 'number' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
