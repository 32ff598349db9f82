import { customType, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * A static site's checked upload on its way to another host: the API keeps the archive on its
 * own disk, but a site placed on another host is unpacked by that host's worker on that host's
 * disk, and the database is the one store both reach. Chunks in order; removed once the host
 * has its copy (or by the cleanup schedule when no deployment will use them).
 */
export const staticUploads = pgTable(
  'static_uploads',
  {
    deploymentId: text('deployment_id').notNull(),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.seq] })],
);
