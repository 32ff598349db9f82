// A rollback to the environment's hot standby, run by the lane itself while it is idle: the
// standby's containers run and answer already, so the route's switch
// (activities/router/standby-switch.ts) is all that makes the release live. In the workflow
// task that accepts the request one local activity records it, checks and writes the route
// file; the lane answers the API while Traefik loads the file, and an activity of the lane's
// own queue (dispatched eagerly, with that answer) confirms it through Traefik. No deploy
// workflow starts and no host activity runs before traffic moves — the two hops that were
// most of a warm rollback's time. The lane stays the one place that serialises an
// environment's deployments: it runs no other deployment until this one has ended
// (workflows/environment-lane.ts), and a rollback that arrives while another deployment runs
// or waits takes the ordinary path, in its turn.
//
// After the switch (the API has its answer by then) the release that was live becomes the
// standby, or drains and stops when the environment has no window any more, and the
// deployment ends `succeeded`. When the switch cannot happen (the standby died, the window
// closed, Traefik did not confirm) the reason is recorded and the ordinary rollback runs.
import { ActivityCancellationType, CancellationScope, condition, log, patched, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { WriteTimes } from '../activities/router/standby-switch.js';
import type { DeployRequest } from '../src/domain/deployment.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import { DOCKER, STANDBY_RECORD, STANDBY_SWITCH, STANDBY_SWITCH_TASK, STORE } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import { hostActivities } from './host-activities.js';

/** Stop timeout given to the containers retired after the switch (as a deploy's retire). */
const RETIRE_STOP_SECONDS = 10;

/**
 * Patch: the lane answers the API once the rollback is recorded and runs the switch as an
 * activity of its own task queue, dispatched eagerly with that answer. (Before, the switch was a
 * local activity inside the update, and a workflow task with a local activity running is held
 * open: the API's answer waited for the switch, its database writes and Traefik.)
 */
export const STANDBY_ANSWER_FIRST = 'standby-switch-after-answer';

/**
 * Patch: when the lane's confirmation fails for good (its last attempt cancelled or timed out,
 * or the lane cancelled while it ran), the lane puts the previous route back before anything
 * else (activities/router/standby-restore.ts). A cancelled attempt leaves the route alone for
 * its retry, so before this the standby's route stayed in place after the last one.
 */
export const STANDBY_RESTORE = 'standby-restore-after-failure';

/** A rollback the API found in its standby window, asking for the route-only switch. */
export function wantsStandbySwitch(request: DeployRequest): boolean {
  return request.kind === 'rollback' && request.standby === true && typeof request.releaseId === 'string';
}

/** Patch: the lane decides a standby rollback once the workflow task that brought it has settled. */
const STANDBY_DECIDE_SETTLED = 'standby-decide-settled';

/**
 * Waits, for a standby rollback, until every job of the workflow task that brought the update
 * has been applied and what it woke up has run. A worker that took the lane over (the one before
 * died in the middle of a task) gets the update again in the same task as what the lane waited on
 * (a deployment's end), in another order than a replay of that task hands them over: deciding
 * before the task settled, it found the lane busy where the replay finds it idle, and its
 * history did not replay. A condition already true resolves when the conditions are checked
 * after a job; the second one only after the task's jobs and their continuations have run.
 */
export async function settleBeforeStandbyDecision(request: DeployRequest): Promise<void> {
  if (!wantsStandbySwitch(request) || !patched(STANDBY_DECIDE_SETTLED)) return;
  await condition(() => true);
  await condition(() => true);
}

/** What the switch made live; null when it did not switch (the reason is recorded). */
export interface StandbySwitched {
  number: number;
  /** The release live before, now waiting in standby (null: no window any more, it drains and stops). */
  standbyReleaseId: string | null;
}

/**
 * Whether a failed confirmation puts the previous route back (STANDBY_RESTORE): checked before
 * recordStandbyRollback, a local activity, not after it (docs/architecture.md, "Patch checks
 * and local activities"); histories recorded before checked it only once the route was written.
 */
export function restoresAfterFailure(): boolean {
  return patched(STANDBY_RESTORE);
}

/**
 * The request recorded and, when every check passes, the standby's route written: one local
 * activity in the workflow task that accepted the rollback, so Traefik loads the file while the
 * lane answers the API. Null: not written (the reason is in the deployment's log). Throws when
 * the request could not be recorded, as the ordinary enqueue does.
 */
export async function recordStandbyRollback(request: DeployRequest): Promise<WriteTimes | null> {
  const first = await proxyLocalActivities<ControlActivities>(STANDBY_RECORD).recordStandbyRollback({ request, at: Date.now() });
  if (first.written) return first.times;
  log.warn('route-only rollback not possible; the ordinary rollback follows', { deploymentId: request.deploymentId, reason: first.reason });
  return null;
}

/**
 * The switch as a local activity (histories from before STANDBY_ANSWER_FIRST), or with `prior`
 * (the route written by recordStandbyRollback) its confirmation as a task of the lane's queue,
 * dispatched eagerly with the lane's answer.
 */
export async function switchToStandby(request: DeployRequest, prior?: { times: WriteTimes; restores: boolean }): Promise<StandbySwitched | null> {
  const { deploymentId } = request;
  let reason: string;
  // Since STANDBY_RESTORE a cancelled lane waits until the attempt has stopped (it hears of it
  // at its next beat), so the previous route is not put back under a switch still running.
  // (Checked by the lane before the request's record, a local activity: restoresAfterFailure.)
  const restores = prior?.restores === true;
  const options = restores ? { ...STANDBY_SWITCH_TASK, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : STANDBY_SWITCH_TASK;
  try {
    const result = prior
      ? await proxyActivities<ControlActivities>(options).switchToStandby({ request, prior: prior.times })
      : await proxyLocalActivities<ControlActivities>(STANDBY_SWITCH).switchToStandby({ request });
    if (result.switched) return { number: result.number, standbyReleaseId: result.standbyReleaseId };
    reason = result.reason;
  } catch (err) {
    reason = describeFailure(err).message;
    // Even in a cancelled lane: the route must not stay on a release the database does not call live.
    if (restores) await CancellationScope.nonCancellable(() => restoreRoute(request));
  }
  // The activity put its own reason in the deployment's log; a thrown failure is noted here.
  log.warn('route-only rollback not possible; the ordinary rollback follows', { deploymentId, reason });
  return null;
}

/** The previous route back after a confirmation that failed for good; a failure here is logged (the ordinary rollback writes its own route). */
async function restoreRoute(request: DeployRequest): Promise<void> {
  try {
    const outcome = await proxyLocalActivities<ControlActivities>(STANDBY_SWITCH).restoreStandbyRoute({ request });
    log.info('standby route after a failed confirmation', { deploymentId: request.deploymentId, ...outcome });
  } catch (err) {
    log.warn('the previous route could not be put back', { deploymentId: request.deploymentId, error: describeFailure(err).message });
  }
}

/**
 * After the switch (the environment's standby already recorded by it): the rest of the
 * environment's containers stop, and the deployment ends. Its first step is a timer or an
 * activity on the host, never a local one, so the lane's answer to the API leaves at once.
 */
export async function finishStandbySwitch(request: DeployRequest, { number, standbyReleaseId }: StandbySwitched): Promise<void> {
  const { deploymentId, environmentId } = request;
  const liveReleaseId = request.releaseId as string;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  let retire: PhaseWrite;
  try {
    // What gets stopped had traffic until the switch: it drains first, as after a deploy.
    if (!standbyReleaseId && request.drainSeconds > 0) await sleep(request.drainSeconds * 1000);
    const stopped = await hostActivities(request.hostId, DOCKER).retireContainers({
      report: { deploymentId, phases: [{ phase: 'retire', outcome: 'running', at: Date.now() }] },
      environmentId,
      liveReleaseId,
      timeoutSeconds: RETIRE_STOP_SECONDS,
      standbyReleaseId,
    });
    const message = `stopped ${stopped.length} container(s)${standbyReleaseId ? `; ${standbyReleaseId} in standby for ${request.standbySeconds ?? 0} s` : ''}`;
    retire = { phase: 'retire', outcome: 'succeeded', message, at: Date.now() };
  } catch (err) {
    // The release is live either way; the tidying is what failed, and reconcile finishes it.
    retire = { phase: 'retire', outcome: 'failed', message: `cleanup incomplete: ${describeFailure(err).message}`, at: Date.now() };
  }
  // deploy.started and deploy.succeeded, as for any deployment, after the moment that mattered.
  await store.announceStart({ deploymentId });
  const message = `release ${number} live (route-only switch to the standby)`;
  await store.completeDeployment({ deploymentId, status: 'succeeded', message, errorType: null, at: Date.now(), phases: [retire] });
}
