// What `berth`'s exit code says, the same for every command, so a script or CI step can act on
// the outcome without reading the output. docs/cli.md lists them.
import { ApiError, ConnectionError } from '../client/berth-client.js';

export const EXIT = {
  ok: 0,
  /** The deployment failed (or went live and was rolled back by its post-switch watch), or the command could not do what it was asked. */
  failed: 1,
  /** The deployment was cancelled. */
  cancelled: 2,
  /** A newer deployment replaced this one before it went live. */
  superseded: 3,
  /** No credentials, or Berth does not accept them (401). */
  unauthenticated: 4,
  /** The credentials may not do this (403). */
  forbidden: 5,
  /** The app, environment, deployment or release does not exist (404). */
  notFound: 6,
  /** Berth refused the input or the current state forbids it (400, 409, 413, 422). */
  rejected: 7,
  /** Berth could not be reached, or stopped answering while the command waited. */
  unreachable: 8,
  /** Wrong arguments or options. */
  usage: 64,
  /** Stopped watching on Ctrl-C; the deployment goes on. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A deployment's final status as an exit code. */
export function exitForStatus(status: string): ExitCode {
  if (status === 'succeeded') return EXIT.ok;
  if (status === 'cancelled') return EXIT.cancelled;
  if (status === 'superseded') return EXIT.superseded;
  return EXIT.failed;
}

/** Failures the CLI reports as a message and an exit code (anything else is a bug: stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Failures that are outcomes (shown as a message), not bugs (shown with their stack). */
export function isExpected(err: unknown): boolean {
  return err instanceof CliError || err instanceof ApiError || err instanceof ConnectionError;
}

export function exitForError(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof ConnectionError) return EXIT.unreachable;
  if (err instanceof ApiError) {
    if (err.status === 401) return EXIT.unauthenticated;
    if (err.status === 403) return EXIT.forbidden;
    if (err.status === 404) return EXIT.notFound;
    if (err.status >= 400 && err.status < 500) return EXIT.rejected;
    return EXIT.unreachable;
  }
  return EXIT.failed;
}

/** One message for the person: the API's own words, each invalid field, and what to do on a 401. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const lines = [err.message, ...err.issues.map((i) => `  ${i.path}: ${i.message}`)];
    if (err.status === 401) lines.push('log in with `berth login URL` (or set BERTH_URL and BERTH_TOKEN)');
    return lines.join('\n');
  }
  return err instanceof Error ? err.message : String(err);
}
