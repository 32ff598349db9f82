import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { StackPlan, StackSpec } from '../../src/domain/stack.js';
import { releases } from './releases.js';

/** What a stack release runs, beside its releases row: immutable once written. */
export const stackReleases = pgTable('stack_releases', {
  releaseId: text('release_id')
    .primaryKey()
    .references(() => releases.id, { onDelete: 'cascade' }),
  /** The compiled stack with every image pinned (repo@sha256:… or an image id). */
  stack: jsonb('stack').$type<StackSpec>().notNull(),
  plan: jsonb('plan').$type<StackPlan>().notNull(),
  /** Per service: a hash of everything its Swarm service is made of (unchanged → not touched). */
  specHashes: jsonb('spec_hashes').$type<Record<string, string>>().notNull(),
  /** Per service: the image as written. */
  imageRefs: jsonb('image_refs').$type<Record<string, string>>().notNull(),
});
