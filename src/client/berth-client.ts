// The typed client of Berth's HTTP API: openapi-fetch over the types generated from the API's
// OpenAPI document (api-types.ts), with the caller's token on every request. Shared by the CLI
// and, later, the web UI; it uses fetch only, so it runs in a browser as well.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './api-types.js';

export type Schemas = components['schemas'];
export type BerthClient = Client<paths>;

export interface ClientOptions {
  /** Where Berth answers, e.g. http://127.0.0.1:7480 (the API is under /api/v1). */
  url: string;
  /** An API token (berth_pat_…); without one only the public operations answer. */
  token?: string | null;
  fetch?: typeof fetch;
}

/** An answer of the API other than success, in its one error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly requestId: string | null = null,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Berth could not be reached, or the connection broke before an answer. */
export class ConnectionError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach Berth at ${url}: ${reason}`);
    this.name = 'ConnectionError';
  }
}

export function apiBase(url: string): string {
  return `${url.replace(/\/+$/, '')}/api/v1`;
}

export function createBerthClient(options: ClientOptions): BerthClient {
  const client = createClient<paths>({ baseUrl: apiBase(options.url), fetch: keepingRequest(options.fetch ?? globalThis.fetch) });
  const token = options.token;
  if (token) {
    client.use({
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  client.use({
    onError({ error }) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return Promise.reject(new ConnectionError(options.url, cause?.code ?? cause?.message ?? String(error)));
    },
  });
  return client;
}

// Node's fetch ties the caller's AbortSignal to the request it sends through a weak reference
// that breaks once openapi-fetch's Request object is garbage-collected (nodejs/node#55428):
// aborting then no longer stops a streamed body. `berth deploy` went on watching after the
// person chose "stop watching". Holding that Request for as long as its body lives keeps it.
const requestOfBody = new WeakMap<ReadableStream, Request>();

function keepingRequest(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.body && input instanceof Request) requestOfBody.set(response.body, input);
    return response;
  };
}

/** The API's error body turned into an ApiError (a body that is not Berth's shape is named by its status). */
export function apiErrorFrom(response: Response, body: unknown): ApiError {
  const e = (body as { error?: Partial<Schemas['Error']['error']> } | undefined)?.error;
  if (e?.type && e.message) return new ApiError(response.status, e.type, e.message, e.requestId ?? null, e.issues ?? []);
  return new ApiError(response.status, `HTTP${response.status}`, `Berth answered ${response.status} ${response.statusText}`.trim());
}

/** The data of a successful answer, or its ApiError thrown. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw apiErrorFrom(response, error);
  return data as T;
}
