// App and environment names of environment ids: how figures keyed by Docker labels (ids) get
// the names people read on a dashboard.
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apps, environments } from '../schema/index.js';

export async function environmentNames(db: Db, environmentIds: string[]): Promise<Map<string, { app: string; environment: string }>> {
  if (!environmentIds.length) return new Map();
  const rows = await db
    .select({ id: environments.id, environment: environments.name, app: apps.name })
    .from(environments)
    .innerJoin(apps, eq(apps.id, environments.appId))
    .where(inArray(environments.id, environmentIds));
  return new Map(rows.map((r) => [r.id, { app: r.app, environment: r.environment }]));
}
