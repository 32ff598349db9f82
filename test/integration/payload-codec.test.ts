// The Temporal payload codec against a real Temporal server: a workflow's input read straight
// from Temporal's history (the raw service call, no codec) is ciphertext with no byte of the
// secret, Berth's own client still reads it, and the codec endpoint decodes it for an instance
// administrator (token, or the Temporal Web UI's session cookie from its own origin) and for
// nobody else.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/payload-codec.js';
import { makeToken, makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';

let berth: TestBerth;
const secret = `codec-secret-${randomBytes(8).toString('hex')}`;
const workflowId = `codec-test-${randomBytes(4).toString('hex')}`;
type PayloadJson = { metadata: Record<string, string>; data: string };
let stored: PayloadJson;

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  // No worker polls this queue: the workflow only has to exist, with its input in history.
  await berth.temporal.workflow.start(WORKFLOWS.receiveDelivery.type, { taskQueue: 'berth-codec-test-nobody', workflowId, args: [{ deliveryId: secret }] });
  const raw = await berth.temporal.workflowService.getWorkflowExecutionHistory({ namespace: berth.config.temporal.namespace, execution: { workflowId } });
  const input = raw.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!input) throw new Error('no input payload in the history');
  stored = {
    metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(input.data ?? new Uint8Array()).toString('base64'),
  };
}, 60_000);

afterAll(async () => {
  await berth?.temporal.workflow.getHandle(workflowId).terminate('test over').catch(() => {});
  await berth?.close();
});

const codec = (op: 'decode' | 'encode', payloads: unknown, headers: Record<string, string> = {}, token?: string | null) =>
  berth.app.request(`/api/v1/codec/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token ?? berth.token}` }), ...headers },
    body: JSON.stringify({ payloads }),
  });

test('the input in Temporal’s history is ciphertext under a named key, with no byte of the secret', async () => {
  expect(Buffer.from(stored.metadata.encoding as string, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
  expect(Buffer.from(stored.metadata[KEY_ID_METADATA] as string, 'base64').toString()).toBe(berth.ring.current().id);
  const bytes = Buffer.from(stored.data, 'base64');
  expect(bytes.includes(secret)).toBe(false);
  expect(bytes.includes(Buffer.from(secret).toString('base64'))).toBe(false);
  // The whole history as Temporal returns it to anyone who can read the namespace.
  const history = await berth.temporal.workflow.getHandle(workflowId).fetchHistory();
  expect(JSON.stringify(history)).not.toContain(secret);
});

test('the codec endpoint decodes it for an instance administrator, and round-trips encode', async () => {
  const res = await codec('decode', [stored], { 'x-namespace': berth.config.temporal.namespace });
  expect(res.status).toBe(200);
  const [decoded] = ((await res.json()) as { payloads: PayloadJson[] }).payloads;
  expect(Buffer.from(decoded?.metadata.encoding as string, 'base64').toString()).toBe('json/plain');
  expect(JSON.parse(Buffer.from(decoded?.data as string, 'base64').toString())).toEqual({ deliveryId: secret });

  const encoded = ((await (await codec('encode', [decoded])).json()) as { payloads: PayloadJson[] }).payloads;
  expect(Buffer.from(encoded[0]?.data as string, 'base64').includes(secret)).toBe(false);
  const again = ((await (await codec('decode', encoded)).json()) as { payloads: PayloadJson[] }).payloads;
  expect(again).toEqual([decoded]);
  // A payload from before the codec (no encryption metadata) comes back as it was.
  const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') };
  expect(((await (await codec('decode', [plain])).json()) as { payloads: PayloadJson[] }).payloads).toEqual([plain]);
});

test('without credentials, or as anyone but an instance administrator, it refuses', async () => {
  expect((await codec('decode', [stored], {}, null)).status).toBe(401);
  const user = await makeUser(berth.database.db);
  expect((await codec('decode', [stored], {}, await makeToken(berth.database.db, user.id))).status).toBe(403);
  const restricted = await makeUser(berth.database.db, { isAdmin: true });
  const [project] = (await berth.api('POST', '/api/v1/projects', { name: 'codec-p' })).body ? [(await berth.api('GET', '/api/v1/projects/codec-p')).body] : [];
  expect((await codec('decode', [stored], {}, await makeToken(berth.database.db, restricted.id, { projectId: project.id }))).status).toBe(403);
});

test('bad input is a 400: not base64, tampered ciphertext, another namespace', async () => {
  expect((await codec('decode', [{ metadata: {}, data: '***' }])).status).toBe(400);
  const tampered = Buffer.from(stored.data, 'base64');
  tampered[30] = (tampered[30] as number) ^ 1;
  const res = await codec('decode', [{ ...stored, data: tampered.toString('base64') }]);
  expect(res.status).toBe(400);
  expect(await res.text()).not.toContain(secret);
  expect((await codec('decode', [stored], { 'x-namespace': 'someone-else' })).status).toBe(400);
  expect((await berth.app.request('/api/v1/codec/decode', { method: 'POST', headers: { authorization: `Bearer ${berth.token}`, 'content-type': 'application/json' }, body: '{"payloads": 1}' })).status).toBe(400);
});

test('the Temporal Web UI, on its own origin with the session cookie and no CSRF token, may decode; other origins get no CORS', async () => {
  const password = 'codec test password 1';
  const admin = await makeUser(berth.database.db, { isAdmin: true, password });
  const login = await berth.app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: admin.email, password }) });
  expect(login.status).toBe(200);
  const cookie = (login.headers.getSetCookie().find((c) => c.startsWith('berth_session=')) ?? '').split(';')[0] as string;
  const uiOrigin = new URL(berth.config.temporal.uiUrl).origin;

  const preflight = await berth.app.request('/api/v1/codec/decode', {
    method: 'OPTIONS',
    headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');

  const res = await codec('decode', [stored], { origin: uiOrigin, cookie }, null);
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);

  const elsewhere = await codec('decode', [stored], { origin: 'http://evil.example', cookie }, null);
  expect(elsewhere.headers.get('access-control-allow-origin')).not.toBe('http://evil.example');
  // A change elsewhere with the same cookie still needs its CSRF token (only the codec reads through POST).
  expect((await berth.app.request('/api/v1/projects', { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{"name":"nope"}' })).status).toBe(403);
});
