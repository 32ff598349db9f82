// Timeout and retry profiles, named, in one place. Every activity has a timeout; long ones
// heartbeat (activities/heartbeat.ts beats every second) so a crashed worker is noticed in
// seconds and cancellation reaches them.
import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';

/** Failure types no retry can fix. */
const PERMANENT = [
  'ValidationFailed',
  'NotFound',
  'Conflict',
  'ImageNotFound',
  'PortConflict',
  'ContainerFailed',
  'HealthCheckFailed',
  'RouteVerificationFailed',
  'ReleaseNotFound',
];

const RETRY = {
  initialInterval: '200ms',
  backoffCoefficient: 2,
  maximumInterval: '5s',
  maximumAttempts: 8,
  nonRetryableErrorTypes: PERMANENT,
} as const;

/** Docker calls that take seconds at most: create, start, stop, remove, list. */
export const DOCKER: ActivityOptions = {
  startToCloseTimeout: '2m',
  // Activities beat every second (activities/heartbeat.ts): a dead worker shows within 3 s.
  heartbeatTimeout: '3s',
  retry: RETRY,
  // Undo must run after the step it undoes has really stopped.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/** Resolving an image may pull it: minutes, heartbeating on progress. */
export const PULL: ActivityOptions = { ...DOCKER, startToCloseTimeout: '30m', heartbeatTimeout: '5s' };

/** Create, start and the health gate: as long as the app's health policy allows, plus a margin. */
export function launch(healthBudgetMs: number): ActivityOptions {
  return { ...DOCKER, startToCloseTimeout: healthBudgetMs + 120_000, retry: { ...RETRY, maximumAttempts: 5 } };
}

/**
 * One Swarm service launched (tasks running, healthcheck, HTTP probe), a revert, a prune or a
 * teardown: minutes at most, heartbeating all along.
 */
export const SWARM: ActivityOptions = { ...DOCKER, startToCloseTimeout: '10m', retry: { ...RETRY, maximumAttempts: 5 } };

/** Writing a Traefik file and waiting until Traefik's API shows it. */
export const ROUTER: ActivityOptions = { ...DOCKER, startToCloseTimeout: '1m', retry: { ...RETRY, maximumAttempts: 10 } };

/** Database writes of deployment state, run as local activities beside the workflow. */
export const STORE: LocalActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { ...RETRY, initialInterval: '100ms', maximumAttempts: 20 },
};
