// A request runs where its environment is placed when its turn comes, not where it was when it
// was queued: a git push planned while a move ran waits in the lane behind the move, and once
// the move has committed the new host, the push builds and deploys there (a request built for
// the old host would leave its containers on the host the environment left).
import { condition, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { DeployRequest } from '../src/domain/deployment.js';
import { STORE } from './activity-profiles.js';
import { wantsStandbySwitch } from './standby-switch.js';

/** Patch marker: lanes since it read the environment's placement before starting each deployment. */
export const PLACEMENT_AT_RUN = 'lane-placement-at-run';
/** Patch marker: lanes since it hand a spread environment's hosts to git apps' deploys too (built once, pulled by digest on each). */
export const SPREAD_GIT = 'spread-git';
/**
 * Patch marker: lanes since it send a deployment's deploy.started notice in the same local
 * activity as the placement read, when its turn comes; the deploy's first task then runs no local
 * activity of its own before its first step (one round trip less on every deploy's path).
 */
const START_NOTICE_AT_TURN = 'lane-start-notice';
/**
 * Patch marker: lanes since it record, place and announce a deploy or rollback that arrives while
 * the lane is idle in one local activity (`recordAndPlace`), in the task that accepts it; it then
 * runs at once, without the second local activity at its turn.
 */
const PLACE_ON_ARRIVAL = 'lane-place-on-arrival';

type Placement = Awaited<ReturnType<ControlActivities['environmentPlacement']>>;

/** The environment's placement now and whether the deployment's start was announced with it. */
async function placementAtTurn(request: DeployRequest) {
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const site = { environmentId: request.environmentId };
  // A teardown is no deployment that starts (it sends no deploy.started); nor is one announced on arrival.
  const announces = request.kind !== 'teardown' && !request.startAnnounced && patched(START_NOTICE_AT_TURN);
  const gitSpreads = spreadsGit(request);
  if (announces) {
    // Unread: the placement it was queued under, and the deploy announces its start itself.
    const read = await store.placeAndAnnounce({ ...site, deploymentId: request.deploymentId }).catch(() => ({ placement: null, announced: false }));
    return { ...read, gitSpreads };
  }
  return { placement: await store.environmentPlacement(site).catch(() => null), announced: false, gitSpreads };
}

/** The request as it runs now: on the host the environment is placed on (a move names its own). */
export async function placedNow(request: DeployRequest): Promise<DeployRequest> {
  if (!patched(PLACEMENT_AT_RUN) || request.move) return request;
  // Unread (the database away through every attempt): the placement it was queued under.
  const { placement: now, announced, gitSpreads } = await placementAtTurn(request);
  return placedOn(request, now, announced, gitSpreads);
}

/**
 * Whether a git app may spread (since SPREAD_GIT; older histories of a git app ran on its one
 * placement host, and replay so). Checked before the placement's read, a local activity, not
 * after it (docs/architecture.md, "Patch checks and local activities").
 */
function spreadsGit(request: DeployRequest): boolean {
  return request.appKind === 'git' && patched(SPREAD_GIT);
}

function placedOn(request: DeployRequest, now: Placement, announced: boolean, gitSpreads: boolean): DeployRequest {
  if (announced) request = { ...request, startAnnounced: true };
  // A spread environment's hosts are chosen now, from the hosts as they are (histories from
  // before spreads existed have no `spread` in the answer and replay unchanged).
  const spreads = request.appKind === 'image' || (gitSpreads && !!now?.spread);
  const spread = now?.spread && spreads && request.kind !== 'teardown' ? { spread: now.spread } : {};
  if (!now || (now.hostId === request.hostId && !now.spread)) return request;
  return { ...request, hostId: now.hostId, ...spread };
}

/**
 * Whether a request may be placed as it arrives (a deploy or rollback, not a move or a standby
 * switch, in a lane run since PLACE_ON_ARRIVAL). Synchronous for the others, so their handlers
 * run as they did before it.
 */
export function placesOnArrival(request: DeployRequest): boolean {
  return request.kind !== 'teardown' && !request.move && !wantsStandbySwitch(request) && patched(PLACE_ON_ARRIVAL);
}

/**
 * Waits until every job of the workflow task that brought the update has been applied, before
 * the lane decides whether it is idle: a worker that took the lane over may get the update in
 * the same task as a deployment's end in another order than a replay hands them over
 * (settleBeforeStandbyDecision in workflows/standby-switch.ts has the whole story).
 */
export async function settleBeforeArrivalDecision(): Promise<void> {
  await condition(() => true);
  await condition(() => true);
}

/**
 * A request arriving at an idle lane: recorded, then placed and announced, in one local activity.
 * Throws as the ordinary record does when it could not be recorded; `placed: false` when the
 * placement could not be read (the lane reads it again before it runs).
 */
export async function recordAndPlace(request: DeployRequest): Promise<{ request: DeployRequest; placed: boolean }> {
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const gitSpreads = spreadsGit(request);
  const { read, placement, announced } = await store.recordAndPlace({ request, at: Date.now() });
  const announcedRequest = announced ? { ...request, startAnnounced: true } : request;
  if (!read) return { request: announcedRequest, placed: false };
  return { request: placedOn(request, placement ?? null, announced, gitSpreads), placed: true };
}
