// The one place that decides whether the caller may do what a route declares: it finds the
// project the resource belongs to (one query that also reads the caller's role there) and asks
// src/domain/access.ts. Routes never check access themselves; list handlers ask
// visibleProjects() for the projects whose resources they may show.
import type { Context } from 'hono';
import type { Db } from '../../db/client.js';
import { accessToApp, accessToDeployment, accessToProject, membershipsOf, type ProjectAccess } from '../../db/queries/memberships.js';
import { decideInstance, decideProject, decideSelf, readableProjects, type Principal, type Verdict } from '../../src/domain/access.js';
import type { AppEnv } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import type { Access, ProjectLocator } from './access-spec.js';
import { checkCsrfToken, checkOrigin } from './csrf-check.js';

export interface AccessGate {
  check(c: Context<AppEnv>, access: Access): Promise<void>;
  /** Project ids whose resources the caller may read; null means every project. */
  visibleProjects(c: Context<AppEnv>): Promise<string[] | null>;
}

export const unauthorized = (message = 'sign in, or send an API token as Authorization: Bearer') => new HttpError(401, 'Unauthorized', message);
const forbidden = (reason: string) => new HttpError(403, 'Forbidden', reason);

async function locate(c: Context<AppEnv>, locator: ProjectLocator): Promise<string | null> {
  const [where, key] = locator.split('.') as ['param' | 'body' | 'query', string];
  if (where === 'param') return c.req.param(key === 'deployment' ? 'id' : key) ?? null;
  if (where === 'query') return c.req.query(key) ?? null;
  if (!(c.req.header('content-type') ?? '').includes('json')) return null;
  // Hono keeps the parsed body, so the validator after this reads it without a second parse.
  const body: unknown = await c.req.json().catch(() => null);
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : null;
}

export function createAccessGate(db: Db, publicUrl: string): AccessGate {
  const find = (locator: ProjectLocator, value: string, userId: string): Promise<ProjectAccess | undefined> => {
    if (locator.endsWith('.project')) return accessToProject(db, value, userId);
    if (locator.endsWith('.app')) return accessToApp(db, value, userId);
    return accessToDeployment(db, value, userId);
  };

  const enforce = (verdict: Verdict) => {
    if (!verdict.allowed) throw forbidden(verdict.reason);
  };

  return {
    async check(c, access) {
      const readsOnly = 'readsOnly' in access;
      if (!readsOnly) checkOrigin(c, publicUrl);
      if ('public' in access) return;
      const principal = c.get('principal');
      if (!principal) throw unauthorized(c.get('credentialProblem') ?? undefined);
      if (!readsOnly) checkCsrfToken(c);
      if ('self' in access) return enforce(decideSelf(principal, access.self));
      if ('instance' in access) return enforce(decideInstance(principal, access.instance));
      if ('list' in access) return enforce(decideSelf(principal, 'read'));

      const value = await locate(c, access.on);
      if (value === null) {
        if (access.orInstance) return enforce(decideInstance(principal, access.orInstance));
        // The handler's validation names what is missing; nobody learns anything from it.
        return;
      }
      // An unrestricted administrator reading needs no look-up (the handler answers 404 if it is
      // missing); changes are looked up all the same, so the audit log names their project.
      const reading = c.req.method === 'GET' || c.req.method === 'HEAD';
      if (reading && principal.isAdmin && principal.projectRestriction === null && decideProject(principal, '', 'owner', access.need).allowed) return;
      const found = await find(access.on, value, principal.userId);
      // Named by the caller's own words: it tells nobody anything they did not send.
      if (!found) throw notFound(`${access.on.split('.')[1] as string} ${value.slice(0, 100)}`);
      c.set('projectId', found.projectId);
      enforce(decideProject(principal, found.projectId, found.role, access.need));
    },

    async visibleProjects(c) {
      const principal = c.get('principal') as Principal;
      if (principal.isAdmin && principal.projectRestriction === null) return null;
      return readableProjects(principal, await membershipsOf(db, principal.userId));
    },
  };
}
