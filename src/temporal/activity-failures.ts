// Every failure leaves an activity as an ApplicationFailure whose type is one of Berth's
// documented error types (src/errors.ts). Without this, Temporal records the class name of what
// was thrown ("BerthError", "Error", "TypeError"), and that is the type a deployment whose
// retries ran out would end with. A BerthError keeps its type; a failure to reach something Berth
// depends on (Docker's socket, PostgreSQL, Traefik, Temporal) is Unavailable; the rest Internal.
// Retrying stays the retry policy's decision, by type.
import { Context, CompleteAsyncError } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { BerthError, type ErrorType } from '../errors.js';

/** Error codes of a connection that could not be made or was lost (Node, undici, postgres.js). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // PostgreSQL: terminated by the administrator (a server shutting down)
]);

interface ErrorFields {
  code?: unknown;
  syscall?: unknown;
  statusCode?: unknown;
  cause?: unknown;
}

function unreachable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as ErrorFields;
  if (typeof e.code === 'string' && (UNREACHABLE_CODES.has(e.code) || (e.code === 'ENOENT' && e.syscall === 'connect'))) return true;
  // gRPC (Temporal): UNAVAILABLE, DEADLINE_EXCEEDED.
  if (e.code === 14 || e.code === 4) return true;
  // The Docker engine answered that it failed (dockerode puts the HTTP status here).
  if (typeof e.statusCode === 'number' && e.statusCode >= 500) return true;
  return unreachable(e.cause, depth + 1);
}

/** The documented type of a failure that is not one already. */
export function failureType(err: unknown): ErrorType {
  if (err instanceof BerthError) return err.type;
  return unreachable(err) ? 'Unavailable' : 'Internal';
}

/** `err` as an ApplicationFailure of a documented type; failures that already are one pass as they are. */
export function typedFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure || err instanceof CompleteAsyncError) return err;
  const type = failureType(err);
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({
    type,
    message,
    details: err instanceof BerthError && err.details ? [err.details] : undefined,
    cause: err instanceof Error ? err : undefined,
  });
}

/** The activity interceptor that applies typedFailure to everything an activity throws. */
export const typedActivityFailures: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        // A cancelled activity ends as cancelled, whatever it threw on the way out.
        if (Context.current().cancellationSignal.aborted) throw err;
        throw typedFailure(err);
      }
    },
  },
});
