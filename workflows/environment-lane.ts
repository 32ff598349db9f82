// One lane per environment (workflow id lane-<environment id>): deploy, rollback and cancel
// requests arrive as updates, and the lane runs one deployment at a time as a child workflow.
// "One deploy per environment at a time" is this loop, not a lock.
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyLocalActivities,
  setHandler,
  ParentClosePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { DeployRequest } from '../src/domain/deployment.js';
import { coalesce, type Queued } from '../src/domain/lane-queue.js';
import { APP_NAME, DEPLOYMENT_ID, ENVIRONMENT_NAME } from '../src/domain/search-attributes.js';
import { DEPLOY_WORKFLOWS, type LaneInput } from '../src/domain/workflow-contracts.js';
import { deployWorkflowId } from '../src/domain/workflow-ids.js';
import { STORE } from './activity-profiles.js';
import { placedNow, placesOnArrival, recordAndPlace, settleBeforeArrivalDecision } from './lane-placement.js';
import { startChildWorkflow } from './child-workflows.js';
import type { WriteTimes } from '../activities/router/standby-switch.js';
import { finishStandbySwitch, recordStandbyRollback, restoresAfterFailure, settleBeforeStandbyDecision, STANDBY_ANSWER_FIRST, STANDBY_RESTORE, switchToStandby, wantsStandbySwitch } from './standby-switch.js';
import {
  abortDeploySignal,
  type AbortReason,
  cancelDeploymentUpdate,
  laneStateQuery,
  requestDeployUpdate,
  type CancelOutcome,
} from '../src/domain/workflow-definitions.js';

/** Deployments run per lane run before it continues as new, keeping its history short. */
export const DEPLOYS_PER_RUN = 50;

/**
 * A request taken from the queue is held like an arrival's until its deploy has started: before
 * this, a superseding request or a cancel in that moment was signalled to a deploy workflow
 * that did not exist yet, the signal was lost, and the deploy ran on.
 */
export const LANE_HOLDS_QUEUED = 'lane-holds-queued-until-started';

export async function environmentLane(input: LaneInput): Promise<void> {
  const store = proxyLocalActivities<ControlActivities>(STORE);
  let queued: Queued[] = input.queued ?? [];
  let arrivals = input.arrivals ?? 0;
  let completed = input.completed ?? 0;
  let ranThisRun = 0;
  let current: DeployRequest | null = null;
  /** The deployment the lane runs itself (a route-only switch to the standby), until it has ended. */
  let switching: string | null = null;
  /** Requests whose handler is recording them, not queued yet: a standby switch must not overtake one. */
  let arriving = 0;
  /** A request that arrived at the idle lane, recorded and placed: it runs next (placed: false, placed at its turn). */
  let ready: { request: DeployRequest; placed: boolean } | null = null;
  /** That request's (or one taken from the queue: LANE_HOLDS_QUEUED) deployment, until its deploy workflow has started. */
  let reserved: string | null = null;
  /** A cancel or a superseding request for the reserved deployment, signalled once its deploy has started. */
  let abortOnStart: AbortReason | null = null;
  const takeReady = () => {
    const taken = ready;
    ready = null;
    return taken;
  };
  const perRun = input.deploysPerRun ?? DEPLOYS_PER_RUN;
  const timeToRoll = () => ranThisRun >= perRun || workflowInfo().continueAsNewSuggested;

  setHandler(laneStateQuery, () => ({
    environmentId: input.environmentId,
    current,
    queued: queued.map((q) => q.request),
    completed,
  }));

  /** Queues a request in its arrival order, as its policy coalesces it; a newer winner may stop the running deploy. */
  async function enqueue(seq: number, request: DeployRequest): Promise<void> {
    const decision = coalesce(queued, { seq, request });
    queued = decision.queued;
    if (decision.superseded.length) {
      await store.dropQueued({ deploymentIds: decision.superseded, status: 'superseded', by: decision.winner, at: Date.now() });
    }
    if (current && request.queuePolicy === 'latest-wins' && request.cancelSuperseded && decision.winner === request.deploymentId) {
      const reason: AbortReason = { kind: 'superseded', by: request.deploymentId };
      if (reserved === current.deploymentId) abortOnStart = reason;
      // The running deploy may have just ended (its completion not yet seen here): nothing to stop.
      else await getExternalWorkflowHandle(deployWorkflowId(current.deploymentId)).signal(abortDeploySignal, reason).catch(() => undefined);
    }
  }

  /** The lane's own switch to the standby once the API has its answer; not switched: the ordinary rollback, in its turn. */
  async function runStandbySwitch(seq: number, request: DeployRequest, written: { times: WriteTimes; restores: boolean }): Promise<void> {
    const switched = await switchToStandby(request, written);
    if (switched) {
      // The deployment records its own end; the lane only moves on.
      await finishStandbySwitch(request, switched).catch(() => undefined);
      completed++;
      ranThisRun++;
    }
    current = null;
    switching = null;
    if (!switched) await enqueue(seq, request);
  }

  setHandler(
    requestDeployUpdate,
    async (request) => {
      const seq = ++arrivals; // arrival order, fixed before any await
      await settleBeforeStandbyDecision(request);
      const onArrival = placesOnArrival(request);
      if (onArrival) {
        // Counted meanwhile: a request of the same task decides after it has settled too.
        arriving++;
        await settleBeforeArrivalDecision();
        arriving--;
      }
      // A deploy or rollback arriving at an idle lane is recorded and placed in one local activity
      // and runs as soon as it is: the lane holds its turn for it meanwhile (current).
      const early = onArrival && current === null && queued.length === 0 && arriving === 0 && ready === null && !timeToRoll();
      if (early) {
        current = request;
        reserved = request.deploymentId;
      }
      // A rollback to the running standby, on an idle lane, is the lane's own work: decided once the
      // task that brought it has settled and before any await of its own, so whatever arrives
      // meanwhile waits until it has ended (workflows/standby-switch.ts).
      const direct = wantsStandbySwitch(request) && current === null && queued.length === 0 && arriving === 0;
      if (direct) {
        current = request;
        switching = request.deploymentId;
      }
      // Since STANDBY_ANSWER_FIRST the route-only rollback is recorded and its route written in
      // one local activity (undefined: not taken that way; null: not written, the reason logged).
      let written: WriteTimes | null | undefined;
      let restores = false;
      arriving++;
      try {
        if (direct && patched(STANDBY_ANSWER_FIRST)) {
          restores = restoresAfterFailure();
          written = await recordStandbyRollback(request);
        }
        else if (early) ready = await recordAndPlace(request);
        else await store.enqueueDeployment({ request, at: Date.now() });
      } catch (err) {
        // Not recorded (the database away through every attempt): the caller is told; the lane stays free.
        if (direct || early) {
          current = null;
          switching = null;
          reserved = null;
          abortOnStart = null;
        }
        throw err;
      } finally {
        arriving--;
      }
      if (early) return { deploymentId: request.deploymentId, workflowId: deployWorkflowId(request.deploymentId) };
      if (written) {
        // The API has its answer now, while Traefik loads the route; the lane's own task confirms it.
        void runStandbySwitch(seq, request, { times: written, restores }).catch(() => undefined);
        return { deploymentId: request.deploymentId, workflowId: workflowInfo().workflowId };
      }
      if (direct && written === undefined) {
        const switched = await switchToStandby(request);
        if (switched) {
          void finishStandbySwitch(request, switched)
            .catch(() => undefined) // the deployment records its own end; the lane only moves on
            .finally(() => {
              current = null;
              switching = null;
              completed++;
              ranThisRun++;
            });
          return { deploymentId: request.deploymentId, workflowId: workflowInfo().workflowId };
        }
      }
      if (direct) {
        // Not switched (the reason is recorded): the ordinary rollback, queued like any request.
        current = null;
        switching = null;
      }
      await enqueue(seq, request);
      return { deploymentId: request.deploymentId, workflowId: deployWorkflowId(request.deploymentId) };
    },
    {
      validator: (request) => {
        if (request.environmentId !== input.environmentId) {
          throw ApplicationFailure.nonRetryable('request is for another environment', 'ValidationFailed');
        }
      },
    },
  );

  setHandler(cancelDeploymentUpdate, async ({ deploymentId }): Promise<CancelOutcome> => {
    // Arrived and about to start: its deploy is stopped as soon as it has started.
    if (reserved === deploymentId) {
      abortOnStart = { kind: 'cancelled' };
      return { status: 'cancelling' };
    }
    if (queued.some((q) => q.request.deploymentId === deploymentId)) {
      queued = queued.filter((q) => q.request.deploymentId !== deploymentId);
      await store.dropQueued({ deploymentIds: [deploymentId], status: 'cancelled', at: Date.now() });
      return { status: 'cancelled' };
    }
    // The lane's own switch to the standby is past cancelling once it has begun.
    if (current?.deploymentId === deploymentId && switching !== deploymentId) {
      await getExternalWorkflowHandle(deployWorkflowId(deploymentId)).signal(abortDeploySignal, { kind: 'cancelled' });
      return { status: 'cancelling' };
    }
    return { status: 'not-found' };
  });

  for (;;) {
    // (current is set here only while the lane runs a standby switch of its own or holds an arrival's turn.)
    try {
      await condition(() => ready !== null || (queued.length > 0 && current === null) || timeToRoll());
    } catch (err) {
      // A cancelled lane lets its own standby switch end first: a switch cut short puts the
      // previous route back (STANDBY_RESTORE), which a lane already closed could not do.
      if (isCancellation(err) && switching !== null && patched(STANDBY_RESTORE)) await CancellationScope.nonCancellable(() => condition(() => switching === null));
      throw err;
    }
    if (ready === null && timeToRoll()) {
      // Between deploys only: the queue travels to the next run (a request holding its turn runs first).
      await condition(() => allHandlersFinished() && (current === null || ready !== null));
      if (ready === null) await continueAsNew<typeof environmentLane>({ environmentId: input.environmentId, queued, arrivals, completed, deploysPerRun: input.deploysPerRun });
    }
    const arrived = takeReady();
    current = arrived?.request ?? (queued.shift() as Queued).request;
    if (!arrived && patched(LANE_HOLDS_QUEUED)) reserved = current.deploymentId;
    try {
      if (!arrived?.placed) current = await placedNow(current);
      // Requests queued before apps had kinds are image deploys.
      const workflow = DEPLOY_WORKFLOWS[current.appKind ?? 'image'];
      if (!workflow) throw ApplicationFailure.nonRetryable(`no deploy workflow for apps of kind ${current.appKind}`, 'ValidationFailed');
      const child = await startChildWorkflow(workflow, {
        workflowId: deployWorkflowId(current.deploymentId),
        args: [current],
        // If the lane itself is ended, the deploy undoes its work rather than run unsupervised.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        // A worker that dies mid-task is noticed sooner than the 10 s default.
        workflowTaskTimeout: '4s',
        typedSearchAttributes: [
          { key: APP_NAME, value: current.appName },
          { key: ENVIRONMENT_NAME, value: current.environmentName },
          { key: DEPLOYMENT_ID, value: current.deploymentId },
        ],
        staticSummary: describe(current),
      });
      reserved = null;
      const abort = abortOnStart;
      abortOnStart = null;
      if (abort) await child.signal(abortDeploySignal, abort).catch(() => undefined);
      await child.result();
    } catch {
      // The deploy records its own outcome; the lane only moves on.
    }
    current = null;
    reserved = null;
    abortOnStart = null;
    completed++;
    ranThisRun++;
  }
}

function describe(request: DeployRequest): string {
  const source = request.source;
  const built = source ? `build ${source.repository ?? 'repository'} ${source.sha?.slice(0, 12) ?? source.ref ?? 'HEAD'}` : null;
  const artifact = request.artifact ? `archive sha256:${request.artifact.sha256.slice(0, 12)}` : '';
  const what =
    request.kind === 'deploy'
      ? (built ?? `deploy ${request.image ?? (artifact || request.appKind)}`)
      : request.kind === 'teardown'
        ? 'teardown'
        : `rollback to ${request.releaseId}`;
  return `${request.appName}/${request.environmentName}: ${what} (${request.trigger})`;
}
