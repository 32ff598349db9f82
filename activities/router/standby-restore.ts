// The route-only rollback's clean-up when its confirmation ended for good without an answer:
// the last attempt was cancelled (timed out, or the lane itself cancelled) or a worker that
// ran it is gone. A cancelled attempt leaves the route alone (a retry may own the switch by
// then), so after the last one the standby's route would stay in place under a database that
// still names the previous release live. The lane runs this once the activity has failed: the
// route goes back to what the switch replaced, unless the release was made live after all.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { environments } from '../../db/schema/index.js';
import type { DeployRequest } from '../../src/domain/deployment.js';
import type { RouteSpec } from '../../src/domain/route.js';
import type { Logger } from '../../src/logger.js';
import { createDeploymentLog } from '../store/deployment-log.js';
import type { RouteFiles } from './route-files.js';

interface Deps {
  db: Db;
  files: RouteFiles;
  /** Writes a route (or the previous one back) and waits until Traefik's API shows it. */
  apply(environmentId: string, route: RouteSpec | null, signal: AbortSignal): Promise<void>;
  liveTimeoutMs: number;
  log: Logger;
}

export type StandbyRestore = { restored: true } | { restored: false; reason: 'live' | 'not-in-place' };

export function createStandbyRestore({ db, files, apply, liveTimeoutMs, log }: Deps) {
  const logs = createDeploymentLog(db, log);
  return {
    /** Puts back the route the standby switch replaced, if it is still the one in place and never became live. Idempotent. */
    async restoreStandbyRoute(input: { request: DeployRequest }): Promise<StandbyRestore> {
      const { deploymentId, environmentId } = input.request;
      const [[env], current, saved] = await Promise.all([
        db.select({ liveDeploymentId: environments.liveDeploymentId }).from(environments).where(eq(environments.id, environmentId)),
        files.read(environmentId),
        files.readPrevious(environmentId),
      ]);
      // An attempt whose answer was lost made it live: the route and the database agree.
      if (env?.liveDeploymentId === deploymentId) return { restored: false, reason: 'live' };
      // Not written, or replaced since (a retry put it back, another switch followed): nothing of ours to undo.
      if (current?.deploymentId !== deploymentId || saved?.deploymentId !== deploymentId) return { restored: false, reason: 'not-in-place' };
      await apply(environmentId, saved.previous, AbortSignal.timeout(liveTimeoutMs));
      await logs.write(deploymentId, 'warn', 'route', 'the switch to the standby was not confirmed: the previous route is back in place');
      return { restored: true };
    },
  };
}
