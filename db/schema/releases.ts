import { boolean, index, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import type { ReleaseConfig } from '../../src/domain/app-spec.js';
import { apps } from './apps.js';
import { environments } from './environments.js';

/** Immutable once written: what a deployment made live, pinned so it can always be re-run. */
export const releases = pgTable(
  'releases',
  {
    id: text('id').primaryKey(),
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    environmentId: text('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    /** 1, 2, 3 … within the environment. */
    number: integer('number').notNull(),
    /** What was asked for (a tag or a digest). */
    imageRef: text('image_ref').notNull(),
    /** What runs: repo@sha256:… when the image has a registry digest, else the image id. */
    imagePinned: text('image_pinned').notNull(),
    imageId: text('image_id').notNull(),
    /** Berth pulled the image for this release, so pruning may remove it; local images are never removed. */
    imagePulled: boolean('image_pulled').notNull().default(false),
    config: jsonb('config').$type<ReleaseConfig>().notNull(),
    /** The environment's variables when the release was made, but the secret ones… */
    variables: jsonb('variables').$type<Record<string, string>>().notNull(),
    /** …which are here, sealed together (db/queries/release-variables.ts). */
    variablesSealed: text('variables_sealed'),
    createdByDeploymentId: text('created_by_deployment_id').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [unique('releases_env_number').on(t.environmentId, t.number), index('releases_env').on(t.environmentId)],
);
