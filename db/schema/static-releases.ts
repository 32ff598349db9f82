import { bigint, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { StaticSiteSettings } from '../../src/domain/static-site.js';
import { releases } from './releases.js';

/** What a static release is made of: its archive (by checksum) and the settings it is served with. */
export const staticReleases = pgTable('static_releases', {
  releaseId: text('release_id')
    .primaryKey()
    .references(() => releases.id, { onDelete: 'cascade' }),
  sha256: text('sha256').notNull(),
  archiveBytes: bigint('archive_bytes', { mode: 'number' }).notNull(),
  files: integer('files').notNull(),
  unpackedBytes: bigint('unpacked_bytes', { mode: 'number' }).notNull(),
  settings: jsonb('settings').$type<StaticSiteSettings>().notNull(),
});
