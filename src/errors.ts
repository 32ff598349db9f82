// The closed list of failure types Berth knows, and what each means. Every deployment that does
// not succeed records one of them (its errorType): activities leave every failure as a Temporal
// ApplicationFailure of one of these types (src/temporal/activity-failures.ts), and workflows
// describe whatever ended a deployment by one of them (workflows/failure.ts). Permanent ones are
// not retried. The HTTP status of each is decided only in api/.
import { ApplicationFailure } from '@temporalio/common';

export const ERROR_TYPES = [
  /** Input that can never be right as given (API bodies, compose files, requests). */
  'ValidationFailed',
  /** Something named does not exist (app, environment, git source). */
  'NotFound',
  /** Something is in the way: a name taken, a Docker object that is not Berth's. */
  'Conflict',
  'Unauthorized',
  'Forbidden',
  'PayloadTooLarge',
  /** Too many attempts from one caller (sign-in throttling): try again after Retry-After. */
  'TooManyRequests',
  /** Something Berth depends on did not answer or failed (Docker, PostgreSQL, Temporal, a socket): retried. */
  'Unavailable',
  'ImageNotFound',
  'PortConflict',
  /** A container (or a stack's task) exited, or could not be made. */
  'ContainerFailed',
  'HealthCheckFailed',
  /** Traefik did not serve the route in time: retried. */
  'RouteNotLive',
  /** The route served, but not the new release, or not healthy: switched back. */
  'RouteVerificationFailed',
  'ReleaseNotFound',
  /** What runs after the switch is not the release (a container from another image, or too few). */
  'ReleaseMismatch',
  /** The post-switch watch saw the new release fail its thresholds: traffic went back to the previous one. */
  'WatchThresholdCrossed',
  /** A canary was aborted (by its analysis or a user): traffic went back to the stable release. */
  'CanaryAborted',
  'ArchiveRejected',
  'SourceNotFound',
  /** The build exited non-zero, ran out of its memory limit, or took too long. */
  'BuildFailed',
  'GitHubRequestFailed',
  /** A build or pull refused to start: the Docker root's free disk is below BERTH_DISK_MIN_FREE_*. */
  'DiskSpaceLow',
  /** A step or the deployment ran out of its time (Temporal's timeout). */
  'Timeout',
  /** The deployment's workflow ended without recording how (found by reconcile). */
  'Abandoned',
  /** Asked to stop before traffic moved (by a user, the lane ending, or a stuck-work policy). */
  'Cancelled',
  /** A newer request of the environment took its place (latest-wins). */
  'Superseded',
  /** A failure Berth has no name for: a bug until it gets one. Retried. */
  'Internal',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

/** Failures no retry can fix: Temporal stops retrying an activity that fails with one. */
export const PERMANENT_ERROR_TYPES: readonly ErrorType[] = [
  'ValidationFailed',
  'NotFound',
  'Conflict',
  'ImageNotFound',
  'PortConflict',
  'ContainerFailed',
  'HealthCheckFailed',
  'RouteVerificationFailed',
  'ReleaseNotFound',
  'ReleaseMismatch',
  'WatchThresholdCrossed',
  'CanaryAborted',
  'ArchiveRejected',
  'SourceNotFound',
  'BuildFailed',
  'GitHubRequestFailed',
  'DiskSpaceLow',
];

export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && (ERROR_TYPES as readonly string[]).includes(value);
}

/** An expected failure with a known type; `details` must be safe to show to a user. */
export class BerthError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'BerthError';
  }
}

/** A failure no retry can fix; Temporal stops retrying and the workflow sees its type. */
export function permanentFailure(type: ErrorType, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : undefined });
}

/** A failure a later attempt may not meet (a dependency away): retried by the step's retry policy. */
export function retryableFailure(type: ErrorType, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: false, details: details ? [details] : undefined });
}
