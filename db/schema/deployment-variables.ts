import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { environments } from './environments.js';

/**
 * A deploy's own overrides, written by the API before the request is queued (the deployment's
 * row is made by its lane, later). The deploy request carries only the deployment id: the
 * release reads the overrides here, so secret ones never travel through Temporal.
 */
export const deploymentVariables = pgTable('deployment_variables', {
  deploymentId: text('deployment_id').primaryKey(),
  environmentId: text('environment_id')
    .notNull()
    .references(() => environments.id, { onDelete: 'cascade' }),
  variables: jsonb('variables').$type<Record<string, string>>().notNull(),
  /** The secret ones, sealed together and bound to the deployment. */
  variablesSealed: text('variables_sealed'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
