// The web UI's one way to Berth: the same typed client as the CLI (openapi-fetch over the types
// generated from the OpenAPI document), on this origin with the session cookie, adding the
// session's CSRF token (from its readable cookie) to every change.
import { ApiError, createBerthClient, unwrap, type Schemas } from '../src/client/berth-client.js';

export { ApiError, unwrap };
export type { Schemas };

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF cookie is __Host- prefixed when Berth is served over https. */
export function csrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'berth_csrf' || name === '__Host-berth_csrf') return decodeURIComponent(value.join('='));
  }
  return '';
}

export const api = createBerthClient({ url: location.origin });
api.use({
  onRequest({ request }) {
    if (!SAFE.has(request.method)) request.headers.set('x-csrf-token', csrfToken());
    return request;
  },
});

/** A message for people: the API's own words, with its field issues. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const issues = err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return issues && !err.message.includes(issues) ? `${err.message} (${issues})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * A request body whose fields with a default on the server may be left out. The document has
 * one schema per shape for requests and answers alike, so its generated type marks defaulted
 * fields required; the fields given are still checked against it.
 */
export function withDefaults<T>(body: Partial<T>): T {
  return body as T;
}
