// Who may do what: project roles, token scopes, and what each kind of operation needs. Pure
// data and one decision function, shared by the API's authorisation middleware, its list
// filters and the unit tests.

/** Roles on a project, weakest first. Instance administrators act as owners of every project. */
export const PROJECT_ROLES = ['viewer', 'deployer', 'admin', 'owner'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

/** What an API token may be used for, weakest first; a token never does more than its user. */
export const TOKEN_SCOPES = ['read', 'deploy', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/**
 * What an operation on a project needs: read (see it), deploy (deploy, roll back, cancel,
 * approve previews), manage (change its apps, environments, variables, secrets, rules), own
 * (its members, deleting it).
 */
export const PROJECT_NEEDS = ['read', 'deploy', 'manage', 'own'] as const;
export type ProjectNeed = (typeof PROJECT_NEEDS)[number];

const ROLE_FOR: Record<ProjectNeed, ProjectRole> = { read: 'viewer', deploy: 'deployer', manage: 'admin', own: 'owner' };
const SCOPE_FOR: Record<ProjectNeed, TokenScope> = { read: 'read', deploy: 'deploy', manage: 'admin', own: 'admin' };

const rank = <T extends string>(list: readonly T[], value: T) => list.indexOf(value);

/** The caller as authentication found it. */
export interface Principal {
  userId: string;
  email: string;
  isAdmin: boolean;
  /** How the request proved who it is. */
  via: 'session' | 'token';
  /** For tokens: its id, scope and optional project restriction. Sessions have every scope. */
  tokenId: string | null;
  scope: TokenScope;
  projectRestriction: string | null;
}

/** Does `scope` cover what `need` asks of a token? */
export function scopeAllows(scope: TokenScope, need: TokenScope): boolean {
  return rank(TOKEN_SCOPES, scope) >= rank(TOKEN_SCOPES, need);
}

export function roleAllows(role: ProjectRole | null, need: ProjectNeed): boolean {
  return role !== null && rank(PROJECT_ROLES, role) >= rank(PROJECT_ROLES, ROLE_FOR[need]);
}

export type Verdict = { allowed: true } | { allowed: false; reason: string };

/**
 * The one decision for an operation on a project: the token's scope and project restriction,
 * then the caller's role there (instance administrators count as owners).
 */
export function decideProject(principal: Principal, projectId: string, role: ProjectRole | null, need: ProjectNeed): Verdict {
  if (!scopeAllows(principal.scope, SCOPE_FOR[need])) {
    return { allowed: false, reason: `this token's scope ${principal.scope} does not allow ${need} (needs ${SCOPE_FOR[need]})` };
  }
  if (principal.projectRestriction !== null && principal.projectRestriction !== projectId) {
    return { allowed: false, reason: 'this token is restricted to another project' };
  }
  if (principal.isAdmin || roleAllows(role, need)) return { allowed: true };
  return { allowed: false, reason: role ? `role ${role} does not allow ${need} (needs ${ROLE_FOR[need]})` : 'not a member of this project' };
}

/** Operations on the installation as a whole (users, GitHub App, cleanup, the whole audit log). */
export function decideInstance(principal: Principal, need: 'read' | 'admin'): Verdict {
  if (!principal.isAdmin) return { allowed: false, reason: 'only instance administrators may do this' };
  if (principal.projectRestriction !== null) return { allowed: false, reason: 'a token restricted to a project cannot act on the installation' };
  if (!scopeAllows(principal.scope, need)) return { allowed: false, reason: `this token's scope ${principal.scope} does not allow it (needs ${need})` };
  return { allowed: true };
}

/**
 * The caller's own account (tokens, sessions, password): reading needs read; changing needs
 * admin scope and a token not restricted to a project (a project's token is not the account's).
 */
export function decideSelf(principal: Principal, need: 'read' | 'admin'): Verdict {
  if (!scopeAllows(principal.scope, need)) return { allowed: false, reason: `this token's scope ${principal.scope} does not allow it (needs ${need})` };
  if (need === 'admin' && principal.projectRestriction !== null) return { allowed: false, reason: 'a token restricted to a project cannot change the account' };
  return { allowed: true };
}

/** Of the projects the caller is a member of, those it may read (null: every project). */
export function readableProjects(principal: Principal, memberships: { projectId: string; role: ProjectRole }[]): string[] | null {
  if (principal.projectRestriction !== null) {
    const allowed = principal.isAdmin || memberships.some((m) => m.projectId === principal.projectRestriction);
    return allowed ? [principal.projectRestriction] : [];
  }
  if (principal.isAdmin) return null;
  return memberships.map((m) => m.projectId);
}
