// Every operation needs a signed-in caller but a short, explicit list. The list is derived from
// the OpenAPI document (operations whose security is empty) and from every route the app has,
// so a route added later without protection fails here.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeToken, makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { fillPath, listOperations } from '../support/openapi-operations.js';

let berth: TestBerth;

beforeAll(async () => {
  berth = await startBerth({ workers: false });
});

afterAll(async () => {
  await berth?.close();
});

/**
 * The whole public surface of the API listener: signing in, first-time setup, the document,
 * liveness, what GitHub must reach, and the web UI's shell and assets (static, no data: every
 * call its pages make is an API operation, checked like any other).
 */
const PUBLIC_OPERATIONS = ['GET /setup', 'POST /setup', 'POST /auth/login'];
const PUBLIC_ROUTES = [
  'GET /',
  'GET /healthz',
  'POST /webhooks/github',
  'POST /webhooks/gitea/:hostId',
  'POST /webhooks/gitlab/:hostId',
  'POST /webhooks/bitbucket/:hostId',
  'POST /webhooks/generic/:hookId',
  'GET /github/app/callback',
  'GET /github/installations/callback',
  'GET /api/v1/openapi.json',
  'GET /api/v1/reference',
  'GET /api/v1/reference/init.js',
  'GET /api/v1/reference/:asset',
  // The web UI's page, script and stylesheet hold no data: every page reads the API, which
  // authenticates each call; a browser that is not signed in gets the sign-in page.
  'GET /ui',
  'GET /ui/*',
  'GET /ui/assets/:name',
  ...PUBLIC_OPERATIONS.map((o) => o.replace(' /', ' /api/v1/')),
];

test('the document declares exactly the public operations, and every other operation answers 401 without credentials', async () => {
  const ops = await listOperations(berth);
  expect(ops.length).toBeGreaterThan(60);
  expect(ops.filter((o) => o.public).map((o) => `${o.method} ${o.path}`).sort()).toEqual([...PUBLIC_OPERATIONS].sort());
  const expired = await makeToken(berth.database.db, berth.admin.id, { expiresAt: new Date(Date.now() - 1000) });
  const stranger = await makeUser(berth.database.db);
  for (const op of ops.filter((o) => !o.public)) {
    expect(op.access, `${op.method} ${op.path} declares its access`).toBeTypeOf('object');
    for (const authorization of [undefined, 'Bearer berth_pat_not-a-real-token', `Bearer ${expired}`, 'Basic YWRtaW46YWRtaW4=']) {
      const res = await berth.app.request(fillPath(op.path, { app: 'someapp' }), {
        method: op.method,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        ...(op.hasBody ? { body: '{}' } : {}),
      });
      expect(res.status, `${op.method} ${op.path} with ${authorization ?? 'nothing'}`).toBe(401);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('Unauthorized');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // A cookie that is not a session is no credential either.
    const cookie = await berth.app.request(fillPath(op.path), { method: op.method, headers: { cookie: 'berth_session=berth_ses_forged' } });
    expect(cookie.status, `${op.method} ${op.path} with a forged cookie`).toBe(401);
  }
  expect(stranger.id).toMatch(/^usr_/);
});

test('every route the app serves, documented or not, is public only when listed', async () => {
  const routes = berth.app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ method: r.method, path: r.path }));
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = route.path.replace(/:(\w+)/g, (_, p: string) => (p === 'asset' ? 'swagger-ui.css' : p === 'id' ? 'dep_0000000000aaaaaaaaaa' : 'x'));
    const res = await berth.app.request(path, { method: route.method, headers: { 'content-type': 'application/json' }, ...(route.method === 'GET' ? {} : { body: '{}' }) });
    // The webhook answers 401 for a missing signature: its own check, not a sign-in.
    const asksSignIn = res.status === 401 && /sign in/.test(await res.text());
    if (PUBLIC_ROUTES.includes(key)) expect(asksSignIn, key).toBe(false);
    else expect(asksSignIn, `${key} must need a signed-in caller (got ${res.status})`).toBe(true);
  }
  for (const listed of PUBLIC_ROUTES) expect(seen, `${listed} is still a route`).toContain(listed);
});

test('public routes stay public, answering without credentials', async () => {
  expect((await berth.app.request('/api/v1/setup')).status).toBe(200);
  expect((await berth.app.request('/api/v1/openapi.json')).status).toBe(200);
  const login = await berth.app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong' }) });
  expect(login.status).toBe(401);
});
