// The one HTTP error type and the one place a failure becomes a status code and a JSON body:
//   { "error": { "type": "NotFound", "message": "…", "requestId": "…", "issues"?: [...] } }
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BerthError, type ErrorType } from '../src/errors.js';
import type { AppEnv } from './deps.js';

export interface Issue {
  path: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ErrorType,
    message: string,
    readonly issues?: Issue[],
    /** For 429: when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const STATUS_BY_TYPE: Partial<Record<ErrorType, ContentfulStatusCode>> = {
  ValidationFailed: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  ReleaseNotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  TooManyRequests: 429,
  Unavailable: 503,
};

export const notFound = (what: string) => new HttpError(404, 'NotFound', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'Conflict', message);
export const invalid = (message: string, issues?: Issue[]) => new HttpError(400, 'ValidationFailed', message, issues);
export const forbidden = (message: string) => new HttpError(403, 'Forbidden', message);

export function errorBody(type: ErrorType, message: string, requestId: string | undefined, issues?: Issue[]) {
  return { error: { type, message, requestId: requestId ?? null, ...(issues ? { issues } : {}) } };
}

/** Hono's onError: typed errors keep their status; anything else is a 500 that is logged. */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  const requestId = c.get('requestId');
  if (err instanceof HttpError) {
    if (err.status === 401) c.header('WWW-Authenticate', 'Bearer realm="berth"');
    if (err.status === 429 && err.retryAfterSeconds) c.header('Retry-After', String(err.retryAfterSeconds));
    return c.json(errorBody(err.type, err.message, requestId, err.issues), err.status);
  }
  if (err instanceof BerthError) {
    return c.json(errorBody(err.type, err.message, requestId), STATUS_BY_TYPE[err.type] ?? 500);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const type: ErrorType = status === 413 ? 'PayloadTooLarge' : status === 401 ? 'Unauthorized' : status >= 500 ? 'Internal' : 'ValidationFailed';
    return c.json(errorBody(type, err.message || 'request rejected', requestId), status);
  }
  c.get('log').error({ err }, 'request failed');
  return c.json(errorBody('Internal', 'internal error', requestId), 500);
}
