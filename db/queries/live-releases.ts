// The live release of every container-run environment (image and git apps) with what its health
// is probed by: read by the worker's runtime watch on each pass, one query whatever the size.
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { HealthCheck } from '../../src/domain/app-spec.js';
import type { Db } from '../client.js';
import { apps, environments, releases } from '../schema/index.js';

export interface LiveRelease {
  environmentId: string;
  releaseId: string;
  port: number;
  replicas: number;
  healthCheck: HealthCheck;
}

export async function liveReleases(db: Db): Promise<LiveRelease[]> {
  const rows = await db
    .select({ environmentId: environments.id, releaseId: releases.id, config: releases.config })
    .from(environments)
    .innerJoin(apps, eq(apps.id, environments.appId))
    .innerJoin(releases, eq(releases.id, environments.liveReleaseId))
    .where(and(isNotNull(environments.liveReleaseId), inArray(apps.kind, ['image', 'git'])));
  return rows.map((r) => ({ environmentId: r.environmentId, releaseId: r.releaseId, port: r.config.port, replicas: r.config.replicas, healthCheck: r.config.healthCheck }));
}
