// No secret, password, token or session id appears where it could leak: API responses (but the
// one that makes a token, once), logs (at trace level), the audit log, deployment logs, Temporal
// history, or any table of the database in plain text. The test knows every value it planted
// and scans for each.
import { historyText } from '../support/history-text.js';
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as schema from '../../db/schema/index.js';
import { issueSetupToken } from '../../src/process/setup-token.js';
import { makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy } from '../support/fixtures.js';
import { waitForDeployment } from '../support/wait.js';
import type { Json } from '../support/json.js';

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(chunk.toString());
    done();
  },
});
const planted = {
  password: `pw-${randomUUID()}`,
  wrongPassword: `wrong-${randomUUID()}`,
  newPassword: `new-pw-${randomUUID()}`,
  secretVariable: `var-${randomUUID()}`,
  buildSecret: `build-${randomUUID()}`,
  sessionCookie: '',
  csrfToken: '',
  apiToken: '',
  setupToken: '',
};
const responses: string[] = [];
let berth: TestBerth;

beforeAll(async () => {
  berth = await startBerth({ logDestination: capture, env: { BERTH_LOG_LEVEL: 'trace' } });
});

afterAll(async () => {
  await berth?.close();
});

/** A call whose answer is kept for the scan (headers too, but the cookie a sign-in sets). */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, keep = true) {
  const res = await berth.app.request(path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (keep) responses.push(text, JSON.stringify([...res.headers].filter(([k]) => k !== 'set-cookie')));
  return { res, text, body: text ? (JSON.parse(text) as Json) : null };
}

test('a day of use: setup, sign-in, tokens, secrets, a deployment', async () => {
  const fresh = await startBerth({ workers: false, logDestination: capture, env: { BERTH_LOG_LEVEL: 'trace' } });
  try {
    await fresh.database.db.delete(schema.users);
    planted.setupToken = (await issueSetupToken(fresh.database.db, fresh.config.dataDir)) as string;
    const setup = await fresh.app.request('/api/v1/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ setupToken: planted.setupToken, email: 'first@example.test', password: planted.password }),
    });
    expect(setup.status).toBe(201);
    responses.push(await setup.text());
  } finally {
    await fresh.close();
  }

  const user = await makeUser(berth.database.db, { isAdmin: true, password: planted.password });
  expect((await call('POST', '/api/v1/auth/login', { email: user.email, password: planted.wrongPassword })).res.status).toBe(401);
  const login = await call('POST', '/api/v1/auth/login', { email: user.email, password: planted.password });
  expect(login.res.status).toBe(200);
  planted.csrfToken = login.body.csrfToken;
  const cookie = (login.res.headers.getSetCookie().find((c) => c.startsWith('berth_session=')) as string).split(';')[0] as string;
  planted.sessionCookie = cookie.slice('berth_session='.length);
  const session = { cookie, 'x-csrf-token': planted.csrfToken };

  // The one answer that carries a secret: the new token, once.
  const made = await call('POST', '/api/v1/tokens', { name: 'scan', scopes: ['admin'] }, session, false);
  expect(made.res.status).toBe(201);
  planted.apiToken = made.body.token;
  const bearer = { authorization: `Bearer ${planted.apiToken}` };
  await call('GET', '/api/v1/tokens', undefined, bearer);
  await call('GET', '/api/v1/auth/whoami', undefined, bearer);
  await call('GET', '/api/v1/auth/sessions', undefined, session);

  const fx = await createImageApp(berth, { app: 'scanned', image: 'berth-local/hello:v1' });
  await call('PUT', `${fx.base}/variables`, { variables: { PLAIN: 'visible', DB_PASSWORD: planted.secretVariable }, secret: ['DB_PASSWORD'] }, bearer);
  await call('GET', `${fx.base}/variables`, undefined, bearer);
  await call('POST', '/api/v1/apps', { project: 'p-scanned', name: 'scanned-git', kind: 'git', git: { url: 'file:///nowhere' } }, bearer);
  await call('PUT', '/api/v1/apps/scanned-git/build-secrets/api_token', { value: planted.buildSecret }, session);
  await call('GET', '/api/v1/apps/scanned-git/build-secrets', undefined, session);
  const id = await deploy(berth, fx);
  const d = await waitForDeployment(berth, id);
  expect(d.status, d.message).toBe('succeeded');
  await call('GET', `/api/v1/deployments/${id}`, undefined, bearer);
  await call('GET', `/api/v1/deployments/${id}/logs`, undefined, bearer);
  await call('GET', `${fx.base}/releases`, undefined, bearer);
  await call('GET', '/api/v1/audit', undefined, bearer);
  await call('PUT', '/api/v1/auth/password', { currentPassword: planted.password, newPassword: planted.newPassword }, session);
  // The secret variable reached the container it is for.
  const [container] = await berth.containers(fx.environmentId);
  expect((await berth.docker.getContainer(container?.Id as string).inspect()).Config.Env).toContain(`DB_PASSWORD=${planted.secretVariable}`);
});

test('no planted secret is in answers, logs, the audit log, deployment logs, Temporal history or the database', async () => {
  const values = Object.entries(planted);
  for (const [name, value] of values) expect(value, name).toMatch(/.{12,}/);
  const answers = responses.join('\n');
  const logs = lines.join('');
  // Debug and trace lines were written: every request, the activities' steps.
  expect(logs.match(/"msg":"request"/g)?.length ?? 0).toBeGreaterThan(20);

  const histories: unknown[] = [];
  for await (const info of berth.temporal.workflow.list()) histories.push(await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory());
  expect(histories.length).toBeGreaterThan(1);
  // Stored encrypted; read as stored and decoded (test/support/history-text.ts).
  const history = await historyText(berth.ring, histories);

  const tables: Record<string, string> = {};
  for (const [name, table] of Object.entries(schema)) {
    if (typeof table === 'object' && table !== null && 'getSQL' in table) tables[name] = JSON.stringify(await berth.database.db.select().from(table as typeof schema.users));
  }
  // The scan looks where the secrets went: their names and sealed forms are there, their values not.
  expect(tables.releases).toContain('visible');
  expect(tables.releases).toMatch(/"variablesSealed":"v2\./);
  expect(tables.environmentVariables).toMatch(/"key":"DB_PASSWORD","value":"v2\./);
  expect(tables.buildSecrets).toMatch(/"valueSealed":"v2\./);
  expect(tables.apiTokens).toMatch(/"tokenHash":"[0-9a-f]{64}"/);
  expect(answers).toContain('"secret":["DB_PASSWORD"]');
  expect(history).toContain('scanned');

  const places: Record<string, string> = { answers, logs, history, ...Object.fromEntries(Object.entries(tables).map(([k, v]) => [`table ${k}`, v])) };
  for (const [place, text] of Object.entries(places)) {
    for (const [name, value] of values) {
      // The CSRF token is the sign-in's answer by design (the page sends it back); nowhere else.
      if (name === 'csrfToken' && (place === 'answers' || place === 'table sessions')) continue;
      expect(text.includes(value), `${name} found in ${place}`).toBe(false);
    }
  }
});
