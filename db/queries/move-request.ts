// The request that moves a deployed environment to another host: its live release deployed
// again there through the environment's lane, as a rollback to itself would be (the release's
// pinned image, created and health-gated on the new host, the route switched and verified, the
// old host's containers removed after the drain; a static site's files are carried from the old
// host instead, workflows/static-move.ts). Built here so the API's move and a host's drain
// (activities/hosts) make the same request.
import type { Db } from '../client.js';
import type { AppRow } from './apps.js';
import type { EnvironmentRow } from './environments.js';
import { effectiveSettings } from './environment-settings.js';
import { getHost, hostAlive } from './hosts.js';
import { requestBase, type RequestSite } from '../../src/domain/deploy-request.js';
import type { DeployRequest } from '../../src/domain/deployment.js';

/**
 * The move of `env` (which has a live release) onto `target` (null: the installation's own
 * host). No post-switch watch and no hot standby: the release was watched when it went live,
 * and what it would go back to is itself on the old host.
 */
export async function moveRequest(
  db: Db,
  site: RequestSite,
  app: Pick<AppRow, 'id' | 'name' | 'kind'>,
  env: EnvironmentRow,
  target: string | null,
  deploymentId: string,
): Promise<DeployRequest> {
  if (!env.liveReleaseId) throw new Error(`environment ${env.id} has no live release to move`);
  const { settings } = await effectiveSettings(db, env.id, site.watchSeconds);
  const base = requestBase(app, { ...env, hostId: target }, settings, site);
  return {
    ...base,
    deploymentId,
    kind: 'rollback',
    trigger: 'move',
    releaseId: env.liveReleaseId,
    watch: undefined,
    standbySeconds: 0,
    canary: null,
    move: { from: env.hostId ?? site.hostId, placeHostId: target },
  };
}

/**
 * Why a static site cannot move now, or null: its files are only on the host it leaves, whose
 * worker packs them, so that worker must be alive (an image's move needs nothing of the old host
 * until its containers are removed, and gives up on that after 5 minutes).
 */
export async function staticSourceAway(db: Db, appKind: string, env: Pick<EnvironmentRow, 'hostId'>, installationHostId: string): Promise<string | null> {
  if (appKind !== 'static') return null;
  const from = env.hostId ?? installationHostId;
  const host = await getHost(db, from);
  return host && hostAlive(host) ? null : `the site's files are on host ${from}, whose worker is not alive: the move needs it to pack them`;
}
