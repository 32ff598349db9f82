// What each operation needs, declared on the route itself (defineRoute) and enforced by one
// middleware (authorize.ts). The declaration also goes into the OpenAPI document: `security`
// (empty for the few public operations) and `x-berth-access`, which the tests read to prove
// every operation is protected as declared.
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { ProjectNeed } from '../../src/domain/access.js';

/**
 * Where the project of the resource acted on is found: a path parameter (project, app, or a
 * deployment id), or a field of the JSON body or the query.
 */
export type ProjectLocator = 'param.project' | 'param.app' | 'param.deployment' | 'body.project' | 'body.app' | 'query.app';

export type Access =
  /** No authentication: signing in, first-time setup, and nothing else under /api/v1. */
  | { public: string }
  /** The caller's own account: its tokens, sessions, password. */
  | { self: 'read' | 'admin' }
  /** The installation as a whole: instance administrators only. */
  | { instance: 'read' | 'admin' }
  /**
   * Instance administrators reading through a POST that changes nothing (the Temporal payload
   * codec, which carries its payloads in the body): no CSRF token or Origin check, as the
   * Temporal Web UI sends neither; which browser origin may read the answer is CORS's to say.
   */
  | { instance: 'read'; readsOnly: string }
  /** Any signed-in caller; the handler lists only what visibleProjects() allows. */
  | { list: 'read' }
  /** An operation on one project's resources; `orInstance` when the locator may be absent. */
  | { need: ProjectNeed; on: ProjectLocator; orInstance?: 'read' | 'admin' };

export type AccessRoute = RouteConfig & { access: Access };

/** createRoute with a required access declaration. */
export function defineRoute<R extends AccessRoute>(route: R): R & { getRoutingPath(): string } {
  return createRoute(route);
}

export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', description: 'An API token (berth_pat_…)' },
  session: { type: 'apiKey', in: 'cookie', name: 'berth_session', description: 'A browser session; changes also need the X-CSRF-Token header' },
} as const;

export function securityOf(access: Access): Record<string, string[]>[] {
  return 'public' in access ? [] : [{ bearer: [] }, { session: [] }];
}

/** A short human description, for the document and the audit log. */
export function describeAccess(access: Access): string {
  if ('public' in access) return `public: ${access.public}`;
  if ('self' in access) return `own account (${access.self})`;
  if ('instance' in access) return `instance administrators (${access.instance})${'readsOnly' in access ? `; ${access.readsOnly}` : ''}`;
  if ('list' in access) return 'signed in; lists what the caller may read';
  return `${access.need} on the project of ${access.on}${access.orInstance ? `, else instance administrators (${access.orInstance})` : ''}`;
}
