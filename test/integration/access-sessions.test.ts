// Signing in, in the ways a browser and a script do: the setup token makes the first
// administrator; sessions are opaque cookies with CSRF protection, idle and absolute expiry,
// logout and "log out everywhere"; failed sign-ins slow down per account and per address and
// answer the same for unknown accounts; tokens obey their scope, project, expiry and revocation.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sessions, users } from '../../db/schema/index.js';
import { issueSetupToken } from '../../src/process/setup-token.js';
import { makeToken, makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import type { Json } from '../support/json.js';

let berth: TestBerth;
const PASSWORD = 'a long enough passphrase';

beforeAll(async () => {
  berth = await startBerth({ workers: false });
});

afterAll(async () => {
  await berth?.close();
});

interface Browser {
  cookie: string;
  csrf: string;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await berth.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { res, body: (await res.json().catch(() => null)) as Json };
}

async function signIn(email: string, password: string): Promise<Browser> {
  const { res, body } = await post('/api/v1/auth/login', { email, password });
  expect(res.status, JSON.stringify(body)).toBe(200);
  const cookies = res.headers.getSetCookie();
  const session = cookies.find((c) => c.startsWith('berth_session=')) as string;
  expect(session).toMatch(/HttpOnly/i);
  expect(session).toMatch(/SameSite=Lax/i);
  expect(session).not.toMatch(/Secure/i); // the test's public URL is http
  return { cookie: session.split(';')[0] as string, csrf: body.csrfToken };
}

const as = (b: Browser, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
  berth.app.request(path, {
    method,
    headers: { cookie: b.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('first administrator', () => {
  test('the setup token makes one administrator, once; no other way in', async () => {
    // This Berth already has the test's administrator: a setup token is never issued then.
    expect(await issueSetupToken(berth.database.db, berth.config.dataDir)).toBeNull();
    expect((await berth.app.request('/api/v1/setup')).status).toBe(200);
    const fresh = await startBerth({ workers: false });
    try {
      await fresh.database.db.delete(users);
      const token = (await issueSetupToken(fresh.database.db, fresh.config.dataDir)) as string;
      expect(token).toMatch(/^berth_setup_/);
      expect(await (await fresh.app.request('/api/v1/setup')).json()).toEqual({ needed: true });
      const send = (setupToken: string, email: string) =>
        fresh.app.request('/api/v1/setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ setupToken, email, password: PASSWORD }) });
      expect((await send('berth_setup_wrong', 'first@example.test')).status).toBe(403);
      const made = await send(token, 'first@example.test');
      expect(made.status).toBe(201);
      expect(((await made.json()) as { user: { isAdmin: boolean } }).user.isAdmin).toBe(true);
      expect(made.headers.getSetCookie().some((c) => c.startsWith('berth_session='))).toBe(true);
      expect((await send(token, 'second@example.test')).status).toBe(409);
      expect(await (await fresh.app.request('/api/v1/setup')).json()).toEqual({ needed: false });
    } finally {
      await fresh.close();
    }
  });
});

describe('sessions', () => {
  let email: string;
  beforeAll(async () => {
    email = (await makeUser(berth.database.db, { isAdmin: true, password: PASSWORD })).email;
  });

  test('a signed-in browser reads with its cookie; changes need the CSRF token and Berth’s own origin', async () => {
    const b = await signIn(email, PASSWORD);
    expect((await as(b, 'GET', '/api/v1/projects')).status).toBe(200);
    const who = (await (await as(b, 'GET', '/api/v1/auth/whoami')).json()) as { via: string; csrfToken: string };
    expect(who).toMatchObject({ via: 'session', csrfToken: b.csrf });
    expect((await as(b, 'POST', '/api/v1/projects', { name: 'csrf-a' })).status).toBe(403);
    expect((await as(b, 'POST', '/api/v1/projects', { name: 'csrf-a' }, { 'x-csrf-token': 'berth_csrf_wrong' })).status).toBe(403);
    expect((await as(b, 'POST', '/api/v1/projects', { name: 'csrf-a' }, { 'x-csrf-token': b.csrf, origin: 'https://evil.example' })).status).toBe(403);
    expect((await as(b, 'POST', '/api/v1/projects', { name: 'csrf-a' }, { 'x-csrf-token': b.csrf, origin: 'http://localhost' })).status).toBe(201);
    // A token does not need the CSRF token: browsers never send one on their own.
    expect((await berth.api('POST', '/api/v1/projects', { name: 'csrf-b' })).status).toBe(201);
  });

  test('idle and absolute expiry end a session', async () => {
    const idle = await signIn(email, PASSWORD);
    const absolute = await signIn(email, PASSWORD);
    const db = berth.database.db;
    const [a, b] = await db.select().from(sessions).orderBy(sessions.createdAt);
    expect(a && b).toBeTruthy();
    const rows = await db.select().from(sessions);
    const byCsrf = (csrf: string) => rows.find((r) => r.csrfToken === csrf)?.id as string;
    const idleMs = berth.config.sessions.idleMinutes * 60_000;
    await db.update(sessions).set({ lastSeenAt: new Date(Date.now() - idleMs - 1000) }).where(eq(sessions.id, byCsrf(idle.csrf)));
    await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, byCsrf(absolute.csrf)));
    for (const b2 of [idle, absolute]) {
      const res = await as(b2, 'GET', '/api/v1/projects');
      expect(res.status).toBe(401);
      expect(await res.text()).toMatch(/expired/);
    }
  });

  test('logout ends one session; log out everywhere ends all of them', async () => {
    const one = await signIn(email, PASSWORD);
    const two = await signIn(email, PASSWORD);
    const three = await signIn(email, PASSWORD);
    expect((await as(one, 'POST', '/api/v1/auth/logout', undefined, { 'x-csrf-token': one.csrf })).status).toBe(204);
    expect((await as(one, 'GET', '/api/v1/projects')).status).toBe(401);
    expect((await as(two, 'GET', '/api/v1/projects')).status).toBe(200);
    const listed = (await (await as(two, 'GET', '/api/v1/auth/sessions')).json()) as { items: { current: boolean }[] };
    expect(listed.items.filter((s) => s.current)).toHaveLength(1);
    const ended = await as(two, 'DELETE', '/api/v1/auth/sessions', undefined, { 'x-csrf-token': two.csrf });
    expect(ended.status).toBe(200);
    expect(((await ended.json()) as { ended: number }).ended).toBeGreaterThanOrEqual(2);
    expect((await as(two, 'GET', '/api/v1/projects')).status).toBe(401);
    expect((await as(three, 'GET', '/api/v1/projects')).status).toBe(401);
  });

  test('a password change ends the other sessions; disabling a user ends everything it had', async () => {
    const user = await makeUser(berth.database.db, { password: PASSWORD });
    const kept = await signIn(user.email, PASSWORD);
    const other = await signIn(user.email, PASSWORD);
    const early = (await (await as(kept, 'POST', '/api/v1/tokens', { name: 'early', scopes: ['read'] }, { 'x-csrf-token': kept.csrf })).json()) as { token: string };
    const changed = await as(kept, 'PUT', '/api/v1/auth/password', { currentPassword: PASSWORD, newPassword: `${PASSWORD} two`, revokeTokens: true }, { 'x-csrf-token': kept.csrf });
    expect(changed.status).toBe(204);
    expect((await berth.api('GET', '/api/v1/projects', undefined, early.token)).status).toBe(401);
    expect((await as(other, 'GET', '/api/v1/projects')).status).toBe(401);
    expect((await as(kept, 'GET', '/api/v1/projects')).status).toBe(200);
    const token = (await (await as(kept, 'POST', '/api/v1/tokens', { name: 'cli', scopes: ['read'] }, { 'x-csrf-token': kept.csrf })).json()) as { token: string };
    expect((await berth.api('GET', '/api/v1/projects', undefined, token.token)).status).toBe(200);
    expect((await berth.api('PATCH', `/api/v1/users/${user.id}`, { disabled: true })).status).toBe(200);
    expect((await as(kept, 'GET', '/api/v1/projects')).status).toBe(401);
    expect((await berth.api('GET', '/api/v1/projects', undefined, token.token)).status).toBe(401);
    expect((await post('/api/v1/auth/login', { email: user.email, password: `${PASSWORD} two` })).res.status).toBe(401);
  });

  test('the last active administrator cannot be demoted or disabled', async () => {
    const admins = await berth.database.db.select().from(users).where(eq(users.isAdmin, true));
    for (const a of admins.filter((x) => x.id !== berth.admin.id)) await berth.api('PATCH', `/api/v1/users/${a.id}`, { isAdmin: false });
    const res = await berth.api('PATCH', `/api/v1/users/${berth.admin.id}`, { disabled: true });
    expect(res.status).toBe(409);
  });
});

describe('throttling', () => {
  test('an unknown account and a wrong password get the same answer; repeated failures are answered 429, growing', async () => {
    const user = await makeUser(berth.database.db, { password: PASSWORD });
    const wrong = await post('/api/v1/auth/login', { email: user.email, password: 'not the password' });
    const unknown = await post('/api/v1/auth/login', { email: 'nobody-at-all@example.test', password: 'not the password' });
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    // Timing: both spend a password hash (the unknown account against a dummy one).
    const time = async (email: string) => {
      const started = performance.now();
      await post('/api/v1/auth/login', { email, password: 'still not it' });
      return performance.now() - started;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] as number;
    const known = median([await time(user.email), await time(user.email), await time(user.email)]);
    const missing = median([await time('nobody-else@example.test'), await time('nobody-else@example.test'), await time('nobody-else@example.test')]);
    expect(Math.abs(known - missing), `${known} ms vs ${missing} ms`).toBeLessThan(Math.max(known, missing) * 0.6);
    // Both spend a real password hash: tens of milliseconds at least, never a quick "no such user".
    expect(Math.min(known, missing)).toBeGreaterThan(20);

    // Four failures so far for this account (one before, three timed), then one more.
    for (let i = 0; i < 1; i++) expect((await post('/api/v1/auth/login', { email: user.email, password: 'nope' })).res.status).toBe(401);
    const blocked = await post('/api/v1/auth/login', { email: user.email, password: 'nope' });
    expect(blocked.res.status).toBe(401); // the sixth failure is counted, then the block starts
    const refused = await post('/api/v1/auth/login', { email: user.email, password: PASSWORD });
    expect(refused.res.status).toBe(429);
    expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The same answer for an account that does not exist, once it has failed as often.
    for (let i = 0; i < 6; i++) await post('/api/v1/auth/login', { email: 'ghost@example.test', password: 'nope' });
    expect((await post('/api/v1/auth/login', { email: 'ghost@example.test', password: 'nope' })).res.status).toBe(429);
    // Waiting out the block lets the right password in.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await post('/api/v1/auth/login', { email: user.email, password: PASSWORD })).res.status).toBe(200);
  }, 60_000);

  test('a burst of simultaneous guesses gets no more checks than guesses one at a time would', async () => {
    const user = await makeUser(berth.database.db, { password: PASSWORD });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('/api/v1/auth/login', { email: user.email, password: 'a guess' })));
    const statuses = answers.map((a) => a.res.status);
    // Five free failures, the sixth counted with its block: every other one is refused unchecked.
    expect(statuses.filter((s) => s === 401)).toHaveLength(6);
    expect(statuses.filter((s) => s === 429)).toHaveLength(14);
  }, 60_000);

  test('behind a trusted proxy, failures count per forwarded address too', async () => {
    const { serve } = await import('@hono/node-server');
    const proxied = await startBerth({ workers: false, env: { BERTH_TRUSTED_PROXIES: '127.0.0.1' } });
    const server = serve({ fetch: proxied.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const from = (address: string, email: string) =>
      fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.7, ${address}` },
        body: JSON.stringify({ email, password: 'wrong' }),
      });
    try {
      // 20 free failures per address, each against a different account (no account is blocked).
      for (let i = 0; i <= 20; i++) expect((await from('203.0.113.9', `a${i}@example.test`)).status).toBe(401);
      expect((await from('203.0.113.9', 'another@example.test')).status).toBe(429);
      expect((await from('203.0.113.10', 'another@example.test')).status).toBe(401);
      const audit = await proxied.api('GET', '/api/v1/audit?action=POST%20/auth/login&limit=1');
      expect(audit.body.items[0]).toMatchObject({ address: '203.0.113.10', outcome: 'denied', actorName: 'another@example.test' });
    } finally {
      await new Promise((r) => server.close(r));
      await proxied.close();
    }
  }, 120_000);
});

describe('tokens', () => {
  test('scope, project restriction, expiry and revocation', async () => {
    const db = berth.database.db;
    await berth.api('POST', '/api/v1/projects', { name: 'tok-a' });
    await berth.api('POST', '/api/v1/projects', { name: 'tok-b' });
    const read = await berth.api('POST', '/api/v1/tokens', { name: 'ci read', scopes: ['read'] });
    expect(read.status).toBe(201);
    expect(read.body.token).toMatch(/^berth_pat_[A-Za-z0-9_-]{43}$/);
    expect(read.body.prefix).toBe(read.body.token.slice(0, 14));
    const listed = await berth.api('GET', '/api/v1/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(read.body.token);
    expect(listed.body.items.find((t: { id: string }) => t.id === read.body.id)).toMatchObject({ name: 'ci read', scopes: ['read'] });

    // read: looks, changes nothing; cannot make a bigger token.
    expect((await berth.api('GET', '/api/v1/projects', undefined, read.body.token)).status).toBe(200);
    expect((await berth.api('POST', '/api/v1/projects', { name: 'tok-c' }, read.body.token)).status).toBe(403);
    expect((await berth.api('POST', '/api/v1/tokens', { name: 'bigger', scopes: ['admin'] }, read.body.token)).status).toBe(403);

    // A project restriction confines even an administrator's token.
    const confined = await berth.api('POST', '/api/v1/tokens', { name: 'only a', scopes: ['admin'], project: 'tok-a' });
    expect((await berth.api('GET', '/api/v1/projects/tok-a', undefined, confined.body.token)).status).toBe(200);
    expect((await berth.api('GET', '/api/v1/projects/tok-b', undefined, confined.body.token)).status).toBe(403);
    expect((await berth.api('GET', '/api/v1/users', undefined, confined.body.token)).status).toBe(403);
    expect((await berth.api('POST', '/api/v1/tokens', { name: 'escape', scopes: ['admin'] }, confined.body.token)).status).toBe(403);
    // A project's token acts on the project, not on the account: no tokens, sessions or password.
    expect((await berth.api('POST', '/api/v1/tokens', { name: 'same', scopes: ['read'], project: 'tok-a' }, confined.body.token)).status).toBe(403);
    expect((await berth.api('DELETE', '/api/v1/auth/sessions', undefined, confined.body.token)).status).toBe(403);
    // A token made with an expiring token expires with it, whatever it asks for.
    const parent = await berth.api('POST', '/api/v1/tokens', { name: 'parent', scopes: ['admin'], expiresInDays: 2 });
    const child = await berth.api('POST', '/api/v1/tokens', { name: 'child', scopes: ['read'] }, parent.body.token);
    expect(child.status).toBe(201);
    expect(child.body.expiresAt).toBe(parent.body.expiresAt);
    // A project nobody lets the caller read is answered as missing.
    const outsider = await makeUser(db);
    const outsiderToken = await makeToken(db, outsider.id);
    expect((await berth.api('POST', '/api/v1/tokens', { name: 'probe', scopes: ['read'], project: 'tok-a' }, outsiderToken)).status).toBe(404);

    // Expiry and revocation take effect at once; last use is recorded.
    const short = await berth.api('POST', '/api/v1/tokens', { name: 'short', scopes: ['read'], expiresInDays: 1 });
    expect((await berth.api('GET', '/api/v1/projects', undefined, short.body.token)).status).toBe(200);
    const { apiTokens } = await import('../../db/schema/index.js');
    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, short.body.id));
    const expired = await berth.api('GET', '/api/v1/projects', undefined, short.body.token);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
    expect((await berth.api('DELETE', `/api/v1/tokens/${read.body.id}`)).status).toBe(204);
    const revoked = await berth.api('GET', '/api/v1/projects', undefined, read.body.token);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
    const [used] = await db.select().from(apiTokens).where(eq(apiTokens.id, confined.body.id));
    expect(used?.lastUsedAt).toBeInstanceOf(Date);
    // Only a hash is stored.
    expect(JSON.stringify(await db.select().from(apiTokens))).not.toContain(confined.body.token);
  });
});
