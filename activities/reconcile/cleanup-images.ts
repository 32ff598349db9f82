// The cleanup schedule: images Berth pulled for releases no environment retains any more, and
// that no container (Berth's or anyone's) uses, are removed. Local images Berth did not pull are
// never removed. With dryRun, it only reports.
import type Docker from 'dockerode';
import { and, eq, inArray, notInArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { effectiveSettings } from '../../db/queries/environment-settings.js';
import { retainedReleaseIds } from '../../db/queries/releases.js';
import { environments, releases } from '../../db/schema/index.js';
import type { createImageActivities } from '../docker/images.js';

import type { CleanupResult } from '../../src/domain/cleanup.js';

export type { CleanupResult };

export function createCleanupImages({ db, docker, images }: { db: Db; docker: Docker; images: ReturnType<typeof createImageActivities> }) {
  return async function cleanupImages(input: { dryRun: boolean }): Promise<CleanupResult> {
    const keep: string[] = [];
    for (const env of await db.select().from(environments)) {
      keep.push(...(await retainedReleaseIds(db, env.id, env.liveReleaseId, (await effectiveSettings(db, env.id)).settings.retention)));
    }
    const pulled = await db
      .select({ imageId: releases.imageId, reference: releases.imagePinned })
      .from(releases)
      .where(keep.length ? and(eq(releases.imagePulled, true), notInArray(releases.id, keep)) : eq(releases.imagePulled, true));
    // The same image may also be what a retained release runs.
    const kept = new Set(keep.length ? (await db.select({ imageId: releases.imageId }).from(releases).where(inArray(releases.id, keep))).map((r) => r.imageId) : []);
    const inUse = new Set((await docker.listContainers({ all: true })).map((c) => c.ImageID));
    const present = new Set((await docker.listImages()).map((i) => i.Id));
    const seen = new Set<string>();
    const candidates = pulled.filter((p) => {
      if (seen.has(p.imageId) || kept.has(p.imageId) || inUse.has(p.imageId) || !present.has(p.imageId)) return false;
      seen.add(p.imageId);
      return true;
    });
    const removed = input.dryRun ? [] : await images.removeImages({ imageIds: candidates.map((c) => c.imageId) });
    return { candidates, removed, dryRun: input.dryRun };
  };
}
