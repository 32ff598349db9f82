// The closed list of failure types Berth knows. Permanent ones travel through Temporal as
// non-retryable ApplicationFailures carrying the type; the HTTP status is decided only in api/.
import { ApplicationFailure } from '@temporalio/common';

export const ERROR_TYPES = [
  'ValidationFailed',
  'NotFound',
  'Conflict',
  'Unauthorized',
  'Forbidden',
  'PayloadTooLarge',
  'TooManyRequests',
  'Unavailable',
  'ImageNotFound',
  'PortConflict',
  'ContainerFailed',
  'HealthCheckFailed',
  'RouteNotLive',
  'RouteVerificationFailed',
  'ReleaseNotFound',
  'ArchiveRejected',
  'SourceNotFound',
  'BuildFailed',
  'GitHubRequestFailed',
  'Cancelled',
  'Superseded',
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
  'ArchiveRejected',
  'SourceNotFound',
  'BuildFailed',
  'GitHubRequestFailed',
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
