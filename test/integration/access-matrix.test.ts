// Each operation of the OpenAPI document × each kind of caller: instance administrator, the
// four project roles, an owner of another project, an administrator's token restricted to
// another project, and an owner's read- and deploy-scoped tokens. Every answer is either
// allowed (anything but 401/403) or 403 — never a 2xx that shows another project's data.
// Requests that are allowed carry bodies that fail validation, or name things that are not
// there, so the matrix changes nothing.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Access } from '../../api/access/access-spec.js';
import { deployments } from '../../db/schema/index.js';
import { PROJECT_ROLES, TOKEN_SCOPES, type ProjectRole, type TokenScope } from '../../src/domain/access.js';
import { newId } from '../../src/ids.js';
import { addMember, makeToken, makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { fillPath, listOperations, type Operation } from '../support/openapi-operations.js';
import { snapshot } from '../support/snapshot.js';

interface Caller {
  name: string;
  token: string;
  isAdmin: boolean;
  scope: TokenScope;
  restrictedTo: 'a' | 'b' | null;
  roleInA: ProjectRole | null;
}

let berth: TestBerth;
const ids = { a: '', b: '', appA: '', deploymentA: '' };
const callers: Caller[] = [];

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  const db = berth.database.db;
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await berth.api(method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  ids.a = (await ok('POST', '/api/v1/projects', { name: 'proj-a' })).id;
  ids.b = (await ok('POST', '/api/v1/projects', { name: 'proj-b' })).id;
  ids.appA = (await ok('POST', '/api/v1/apps', { project: 'proj-a', name: 'a-web', image: 'berth-local/hello:v1' })).id;
  await ok('POST', '/api/v1/apps', { project: 'proj-b', name: 'b-web', image: 'berth-local/hello:v1' });
  const envA = (await ok('POST', '/api/v1/apps/a-web/environments', { name: 'prod' })).id;
  await ok('POST', '/api/v1/apps/b-web/environments', { name: 'prod' });
  await ok('PUT', '/api/v1/apps/a-web/environments/prod/variables', { variables: { PLAIN: 'a-plain-value', HIDDEN: 'a-secret-value' }, secret: ['HIDDEN'] });
  ids.deploymentA = newId('dep');
  await db.insert(deployments).values({ id: ids.deploymentA, appId: ids.appA, environmentId: envA, kind: 'deploy', trigger: 'api', request: {}, status: 'succeeded', workflowId: `deploy-${ids.deploymentA}` });

  const add = async (name: string, options: { isAdmin?: boolean; roleInA?: ProjectRole; ownsB?: boolean; scope?: TokenScope; restrictedTo?: 'a' | 'b' }) => {
    const user = await makeUser(db, { isAdmin: options.isAdmin ?? false });
    if (options.roleInA) await addMember(db, ids.a, user.id, options.roleInA);
    if (options.ownsB) await addMember(db, ids.b, user.id, 'owner');
    const restriction = options.restrictedTo ? ids[options.restrictedTo] : null;
    const token = await makeToken(db, user.id, { scope: options.scope ?? 'admin', projectId: restriction });
    callers.push({ name, token, isAdmin: options.isAdmin ?? false, scope: options.scope ?? 'admin', restrictedTo: options.restrictedTo ?? null, roleInA: options.roleInA ?? null });
  };
  await add('instance admin', { isAdmin: true });
  for (const role of PROJECT_ROLES) await add(`${role} of A`, { roleInA: role });
  await add('owner of B only', { ownsB: true });
  await add('instance admin, token restricted to B', { isAdmin: true, restrictedTo: 'b' });
  await add('owner of A, read token', { roleInA: 'owner', scope: 'read' });
  await add('owner of A, deploy token', { roleInA: 'owner', scope: 'deploy' });
  await add('owner of A, token restricted to A', { roleInA: 'owner', restrictedTo: 'a' });
});

afterAll(async () => {
  await berth?.close();
});

const rank = <T>(list: readonly T[], v: T) => list.indexOf(v);
const NEED = { read: ['viewer', 'read'], deploy: ['deployer', 'deploy'], manage: ['admin', 'admin'], own: ['owner', 'admin'] } as const;

/** The expectation, written out on its own: roles and scopes rank; restrictions confine. */
function expected(access: Access, c: Caller): boolean {
  if ('public' in access) return true;
  if ('self' in access) return rank(TOKEN_SCOPES, c.scope) >= rank(TOKEN_SCOPES, access.self) && (access.self === 'read' || c.restrictedTo === null);
  if ('list' in access) return true;
  if ('instance' in access) return c.isAdmin && c.restrictedTo === null && rank(TOKEN_SCOPES, c.scope) >= rank(TOKEN_SCOPES, access.instance);
  const [role, scope] = NEED[access.need];
  if (rank(TOKEN_SCOPES, c.scope) < rank(TOKEN_SCOPES, scope)) return false;
  if (c.restrictedTo !== null && c.restrictedTo !== 'a') return false;
  return c.isAdmin || (c.roleInA !== null && rank(PROJECT_ROLES, c.roleInA) >= rank(PROJECT_ROLES, role));
}

/** A request for the operation that is about project A's things and changes nothing if allowed. */
function requestFor(op: Operation): { path: string; body?: string } {
  const filled = fillPath(op.path, { project: 'proj-a', app: 'a-web', env: 'prod', ...(op.path.startsWith('/deployments/') ? { id: ids.deploymentA } : {}) });
  const path = 'on' in op.access && op.access.on === 'query.app' ? `${filled}?app=a-web&env=prod` : filled;
  if (!op.hasBody) return { path };
  // Bodies that name project A where the access is found in the body, and fail validation.
  if (op.path === '/apps' && op.method === 'POST') return { path, body: JSON.stringify({ project: 'proj-a', name: 'Not A Name' }) };
  if (op.path === '/reconcile') return { path, body: JSON.stringify({ app: 'a-web', env: 'prod', wait: 'not-a-boolean' }) };
  return { path, body: '[]' };
}

test('every operation × every caller: allowed as declared, otherwise 403, and a refusal shows nothing', async () => {
  const ops = (await listOperations(berth)).filter((o) => !o.public);
  const before = await snapshot(berth);
  let allowed = 0;
  let refused = 0;
  for (const op of ops) {
    const { path, body } = requestFor(op);
    for (const c of callers) {
      const res = await berth.app.request(path, {
        method: op.method,
        headers: { authorization: `Bearer ${c.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
      });
      const text = res.headers.get('content-type')?.includes('event-stream') ? (await res.body?.cancel(), '') : await res.text();
      const what = `${op.method} ${op.path} as ${c.name} → ${res.status} ${text.slice(0, 200)}`;
      expect(res.status, what).not.toBe(401);
      if (expected(op.access, c)) {
        expect(res.status, what).not.toBe(403);
        allowed++;
      } else {
        expect(res.status, what).toBe(403);
        const parsed = JSON.parse(text) as Record<string, unknown>;
        expect(Object.keys(parsed), what).toEqual(['error']);
        expect(text, what).not.toContain(ids.appA);
        refused++;
      }
      if (res.status < 300) expect(text, what).not.toContain('a-secret-value');
    }
  }
  process.stdout.write(`access matrix: ${ops.length} operations × ${callers.length} callers: ${allowed} allowed, ${refused} refused\n`);
  expect(refused).toBeGreaterThan(ops.length);
  expect(await snapshot(berth)).toEqual(before);
});

test('the roles draw the lines a team expects', async () => {
  const as = (name: string) => callers.find((c) => c.name === name)?.token as string;
  const call = async (who: string, method: string, path: string, body?: unknown) => (await berth.api(method, path, body, as(who))).status;
  // A viewer looks; a deployer deploys but does not change settings; an admin does not manage members.
  expect(await call('viewer of A', 'GET', '/api/v1/apps/a-web')).toBe(200);
  expect(await call('viewer of A', 'POST', '/api/v1/apps/a-web/environments/prod/deployments', {})).toBe(403);
  expect(await call('deployer of A', 'PUT', '/api/v1/apps/a-web/environments/prod/variables', { variables: {} })).toBe(403);
  expect(await call('deployer of A', 'POST', `/api/v1/deployments/${ids.deploymentA}/cancel`)).toBe(409);
  expect(await call('admin of A', 'POST', '/api/v1/projects/proj-a/members', { email: 'x@example.test', role: 'viewer' })).toBe(403);
  expect(await call('admin of A', 'DELETE', '/api/v1/projects/proj-a')).toBe(403);
  // A project admin may not read the worker's disk through a file:// repository.
  expect(await call('admin of A', 'POST', '/api/v1/apps', { project: 'proj-a', name: 'disk', kind: 'git', git: { url: 'file:///etc' } })).toBe(403);
  expect(await call('owner of A', 'DELETE', '/api/v1/projects/proj-a')).toBe(409);
  // Another project's owner, and a token confined to another project, see nothing of A.
  expect(await call('owner of B only', 'GET', '/api/v1/apps/a-web')).toBe(403);
  expect(await call('owner of B only', 'GET', `/api/v1/deployments/${ids.deploymentA}`)).toBe(403);
  expect(await call('instance admin, token restricted to B', 'GET', '/api/v1/apps/a-web/environments/prod/variables')).toBe(403);
  expect(await call('instance admin, token restricted to B', 'GET', '/api/v1/users')).toBe(403);
  // Scopes bound what a token does, whatever its user may do.
  expect(await call('owner of A, read token', 'GET', '/api/v1/apps/a-web/environments/prod/deployments')).toBe(200);
  expect(await call('owner of A, read token', 'POST', '/api/v1/apps/a-web/environments/prod/rollback', {})).toBe(403);
  expect(await call('owner of A, deploy token', 'PUT', '/api/v1/apps/a-web/environments/prod/variables', { variables: {} })).toBe(403);
  // Only instance administrators manage the installation.
  expect(await call('owner of A', 'POST', '/api/v1/cleanup', { dryRun: true })).toBe(403);
  expect(await call('owner of A', 'GET', '/api/v1/audit')).toBe(403);
  expect(await call('owner of A', 'GET', '/api/v1/projects/proj-a/audit')).toBe(200);
});

test('lists show only what the caller may read', async () => {
  const list = async (who: string, path: string) => (await berth.api('GET', path, undefined, callers.find((c) => c.name === who)?.token)).body;
  const names = (body: { items: { name: string }[] }) => body.items.map((i) => i.name).sort();
  expect(names(await list('instance admin', '/api/v1/projects'))).toEqual(['proj-a', 'proj-b']);
  expect(names(await list('viewer of A', '/api/v1/projects'))).toEqual(['proj-a']);
  expect(names(await list('owner of B only', '/api/v1/projects'))).toEqual(['proj-b']);
  expect(names(await list('owner of B only', '/api/v1/apps'))).toEqual(['b-web']);
  expect(names(await list('instance admin, token restricted to B', '/api/v1/apps'))).toEqual(['b-web']);
  expect(names(await list('owner of A, token restricted to A', '/api/v1/apps'))).toEqual(['a-web']);
  expect((await list('owner of B only', '/api/v1/deployments')).items).toEqual([]);
  expect((await list('viewer of A', '/api/v1/deployments')).items.map((d: { id: string }) => d.id)).toEqual([ids.deploymentA]);
  expect((await berth.api('GET', '/api/v1/apps?project=proj-a', undefined, callers.find((c) => c.name === 'owner of B only')?.token)).status).toBe(404);
  expect((await berth.api('GET', '/api/v1/deployments?app=a-web', undefined, callers.find((c) => c.name === 'owner of B only')?.token)).status).toBe(404);
});

test('secret variables are never readable, by any role', async () => {
  for (const c of callers.filter((x) => x.roleInA || x.isAdmin)) {
    const res = await berth.api('GET', '/api/v1/apps/a-web/environments/prod/variables', undefined, c.token);
    if (res.status !== 200) continue;
    expect(res.body).toEqual({ variables: { PLAIN: 'a-plain-value' }, secret: ['HIDDEN'] });
  }
});
