// Timeout and retry profiles, named, in one place. Every activity has a timeout; long ones
// heartbeat (activities/heartbeat.ts beats every second) so a crashed worker is noticed in
// seconds and cancellation reaches them.
import { PERMANENT_ERROR_TYPES } from '../src/errors.js';
import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions, type RetryPolicy } from '@temporalio/workflow';

const RETRY: RetryPolicy = {
  initialInterval: '200ms',
  backoffCoefficient: 2,
  maximumInterval: '5s',
  maximumAttempts: 8,
  nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
};

/** Docker calls that take seconds at most: create, start, stop, remove, list. */
export const DOCKER: ActivityOptions = {
  startToCloseTimeout: '2m',
  // Activities beat every second (activities/heartbeat.ts): a dead worker shows within 3 s.
  heartbeatTimeout: '3s',
  retry: RETRY,
  // Undo must run after the step it undoes has really stopped.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/**
 * Launch: resolve (may pull an image: minutes), create, start and the health gate (as long as
 * the app's policy allows, at most an hour's start period). It heartbeats every second, so a
 * dead worker is still noticed in seconds.
 */
export const LAUNCH: ActivityOptions = { ...DOCKER, startToCloseTimeout: '90m' };

/**
 * A moved environment's leftovers on the host it left: bounded as a whole, so a host whose
 * worker is gone ends the step (the deployment notes it) instead of waiting for a poller forever.
 */
export const LEAVE_HOST: ActivityOptions = { ...DOCKER, scheduleToCloseTimeout: '5m' };

/** Receiving, unpacking and verifying a static site's archive: minutes at most, heartbeating. */
export const UNPACK: ActivityOptions = { ...DOCKER, startToCloseTimeout: '30m', retry: { ...RETRY, maximumAttempts: 5 } };

/**
 * One Swarm service launched (tasks running, healthcheck, HTTP probe), a revert, a prune or a
 * teardown: minutes at most, heartbeating all along.
 */
export const SWARM: ActivityOptions = { ...DOCKER, startToCloseTimeout: '10m', retry: { ...RETRY, maximumAttempts: 5 } };

/** Writing a Traefik file and waiting until Traefik's API shows it. */
export const ROUTER: ActivityOptions = { ...DOCKER, startToCloseTimeout: '1m', retry: { ...RETRY, maximumAttempts: 10 } };

/** The post-switch watch: as long as the environment's watch (at most an hour), heartbeating. */
export const WATCH: ActivityOptions = { ...DOCKER, startToCloseTimeout: '65m', retry: { ...RETRY, maximumAttempts: 3 } };

/** Database writes of deployment state, run as local activities beside the workflow. */
export const STORE: LocalActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { ...RETRY, initialInterval: '100ms', maximumAttempts: 20 },
};

/**
 * The route-only switch to a hot standby, a local activity beside the lane: seconds at most
 * (a health probe, a route file, Traefik's confirmation); it answers "not switched" rather than
 * fail, so few retries, and then the ordinary rollback runs.
 */
export const STANDBY_SWITCH: LocalActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { ...RETRY, initialInterval: '100ms', maximumAttempts: 3 },
};

/**
 * The switch's first half with the request's record, a local activity in the workflow task
 * that accepts the rollback: a database write and the checks, retried as store writes are.
 */
export const STANDBY_RECORD: LocalActivityOptions = { ...STORE, startToCloseTimeout: '30s' };

/**
 * The same switch as an activity of the lane's own task queue, handed to the lane's worker in
 * the answer to the workflow task that accepted the rollback (eager dispatch): recorded before
 * it runs, and the API's answer need not wait for it. It beats every second on a timer (a
 * probe may take as long as the app's health-check timeout), so a worker killed mid-switch is
 * noticed in seconds and the retry finds its own route written; the timeout leaves room for a
 * busy machine's late beats, since a timed-out attempt that still runs races the retry.
 */
export const STANDBY_SWITCH_TASK: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  retry: { ...RETRY, initialInterval: '100ms', maximumAttempts: 3 },
};

/** Fetching and building a commit: long, heartbeating (a build prints nothing for minutes at times). */
export const BUILD: ActivityOptions = { ...DOCKER, startToCloseTimeout: '70m', heartbeatTimeout: '10s', retry: { ...RETRY, maximumAttempts: 3 } };

/** Calls to GitHub: quick, retried on what may pass (rate limits, GitHub's own hiccups). */
export const GITHUB: ActivityOptions = {
  startToCloseTimeout: '1m',
  retry: { ...RETRY, initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 6 },
};

/** Calls to Temporal that ask other workflows for work (a lane's deploy, a preview's event). */
export const WORKFLOW_CALLS: ActivityOptions = {
  startToCloseTimeout: '1m',
  retry: { ...RETRY, initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 6 },
};

/** Reading a delivery and the rules, and recording what it did. */
export const INTAKE: ActivityOptions = { startToCloseTimeout: '30s', retry: { ...RETRY, maximumAttempts: 20 } };

/** Tearing an environment down keeps trying until everything is gone. */
export const TEARDOWN: ActivityOptions = {
  startToCloseTimeout: '5m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: [] },
};

/** Deleting old history rows in batches: minutes at most on a large table. */
export const PRUNE: ActivityOptions = { startToCloseTimeout: '15m', retry: { ...RETRY, initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 5 } };
/** A key rotation's steps: one batch of re-sealing at most, retried until the database answers. */
export const KEYS: ActivityOptions = {
  startToCloseTimeout: '2m',
  // A worker killed mid-batch is noticed in seconds; the batch runs again elsewhere.
  heartbeatTimeout: '5s',
  retry: { ...RETRY, maximumAttempts: 20 },
};

/** A drain's wait for one move's deployment to end: as long as a deploy may take, heartbeating. */
export const DRAIN: ActivityOptions = { startToCloseTimeout: '2h', heartbeatTimeout: '10s', retry: RETRY };
