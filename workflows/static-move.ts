// A static site's move to another host (trigger "move"): its live release's files are packed on
// the host it leaves, carried through the database and received, unpacked and verified on the new
// host as an upload would be; then the deploy's own switch points the route at the new host's
// static server and confirms it. Before the commit, the undo removes the new host's copy and puts
// the route back at the old host, whose files were never touched. After the commit and the
// drain, the old host's copy of the site goes.
import { patched } from '@temporalio/workflow';
import type { DeployRequest } from '../src/domain/deployment.js';
import { DOCKER, LEAVE_HOST, UNPACK } from './activity-profiles.js';
import type { Deployment } from './deployment-skeleton.js';
import { hostActivities } from './host-activities.js';

/** Marks histories whose static deployments may be moves (before it, a static site did not move). */
export const STATIC_MOVE = 'static-move';
/** How long the host left may take to start packing (its worker was alive when the move was asked). */
const PACK_WAIT = '2m';

interface Site {
  appName: string;
  environmentName: string;
}

/** A move of this static environment, on a worker that knows how: its release goes to the new host. */
export function isStaticMove(request: DeployRequest): request is DeployRequest & { move: NonNullable<DeployRequest['move']>; releaseId: string } {
  return Boolean(request.move && request.releaseId) && patched(STATIC_MOVE);
}

/** Packs the release on the old host and unpacks it on the new one; what `current` there pointed at before. */
export async function receiveMovedRelease(deploy: Deployment, request: DeployRequest & { move: NonNullable<DeployRequest['move']>; releaseId: string }, site: Site): Promise<string | null> {
  const { deploymentId, environmentId, appId, releaseId } = request;
  deploy.progress(`packing release ${releaseId} on host ${request.move.from}`);
  // Pushed first: the new host's copy (partial or whole) and the stash go, whatever failed.
  deploy.undo(async () => {
    await deploy.onHost(DOCKER).discardStaticRelease({ ...site, deploymentId, releaseId });
  });
  // A host whose worker does not take the step within PACK_WAIT fails the move (the site stays there).
  const artifact = await hostActivities(request.move.from, { ...UNPACK, scheduleToStartTimeout: PACK_WAIT }).packStaticRelease({ ...site, deploymentId, releaseId });
  deploy.progress(`receiving on host ${request.hostId}`);
  const prepared = await deploy.onHost(UNPACK).prepareStaticRelease({
    ...site,
    report: deploy.report(deploy.phases.next('receive'), true),
    deploymentId,
    appId,
    environmentId,
    releaseId,
    artifact,
  });
  deploy.phases.apply(prepared.phases);
  return prepared.previousReleaseId;
}

/**
 * After the commit: the older releases kept for rollbacks follow the live one, one at a time
 * (best effort: the move is done; one that does not arrive is named, and a rollback to it is
 * refused as to a pruned release). Returns what came.
 */
export async function carryOlderReleases(deploy: Deployment, request: DeployRequest & { move: NonNullable<DeployRequest['move']> }, site: Site, older: string[]): Promise<string> {
  const missing: string[] = [];
  for (const releaseId of older) {
    const stashKey = `${request.deploymentId}.${releaseId}`;
    try {
      const artifact = await hostActivities(request.move.from, { ...UNPACK, scheduleToStartTimeout: PACK_WAIT }).packStaticRelease({ ...site, deploymentId: stashKey, releaseId });
      await deploy.onHost(UNPACK).receiveStaticRelease({ ...site, stashKey, releaseId, sha256: artifact.sha256 });
    } catch {
      missing.push(releaseId);
    }
  }
  const carried = `carried ${older.length - missing.length} older release(s) for rollbacks`;
  return missing.length ? `${carried}, not ${missing.join(', ')}` : carried;
}

/** After the commit and the drain: the host left keeps nothing of the site. */
export async function leaveOldHost(request: DeployRequest & { move: NonNullable<DeployRequest['move']> }, site: Site): Promise<string> {
  const removed = await hostActivities(request.move.from, LEAVE_HOST).removeStaticSite(site);
  return removed ? `removed the site's files on host ${request.move.from}` : `nothing of the site left on host ${request.move.from}`;
}
