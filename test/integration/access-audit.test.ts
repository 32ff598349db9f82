// The audit log: every change asked of the API (allowed or not) with who, what, on what, the
// project, the outcome, the request id and the address; reads are not recorded; filters and
// pages; a project's part for its admins; append-only in the database itself, with retention.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendAudit, pruneAudit } from '../../db/queries/audit.js';
import { auditEvents } from '../../db/schema/index.js';
import { addMember, makeToken, makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import type { Json } from '../support/json.js';

let berth: TestBerth;
let adminOfA: string;
const projectIds = { a: '', b: '' };

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  projectIds.a = (await berth.api('POST', '/api/v1/projects', { name: 'audit-a' })).body.id;
  projectIds.b = (await berth.api('POST', '/api/v1/projects', { name: 'audit-b' })).body.id;
  const user = await makeUser(berth.database.db);
  await addMember(berth.database.db, projectIds.a, user.id, 'admin');
  adminOfA = await makeToken(berth.database.db, user.id);
});

afterAll(async () => {
  await berth?.close();
});

test('changes, allowed or refused, are recorded with actor, action, target, project and request id; reads are not', async () => {
  const made = await berth.request('/api/v1/apps', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'audit-test-0001' },
    body: JSON.stringify({ project: 'audit-a', name: 'audited', image: 'berth-local/hello:v1' }),
  });
  expect(made.status).toBe(201);
  const app = (await made.json()) as { id: string };
  expect((await berth.api('POST', '/api/v1/apps', { project: 'audit-b', name: 'refused' }, adminOfA)).status).toBe(403);
  expect((await berth.api('POST', '/api/v1/apps', { project: 'audit-a', name: 'Bad Name' }, adminOfA)).status).toBe(400);
  const before = (await berth.api('GET', '/api/v1/audit')).body.items.length;
  await berth.api('GET', '/api/v1/apps/audited');
  expect((await berth.api('GET', '/api/v1/audit')).body.items.length).toBe(before);

  const items = (await berth.api('GET', '/api/v1/audit?action=POST%20/apps')).body.items as Json[];
  expect(items.map((e) => e.outcome)).toEqual(['rejected', 'denied', 'succeeded']);
  expect(items[2]).toMatchObject({
    actorKind: 'token',
    actorId: berth.admin.id,
    actorName: berth.admin.email,
    action: 'POST /apps',
    target: '/api/v1/apps',
    projectId: projectIds.a,
    status: 201,
    requestId: 'audit-test-0001',
    detail: { id: app.id },
  });
  expect(items[2]?.detail.tokenId).toMatch(/^tok_/);
  expect(items[1]).toMatchObject({ outcome: 'denied', status: 403, projectId: projectIds.b });
});

test('filters and pages; a project admin reads its project’s part only', async () => {
  for (let i = 0; i < 5; i++) await berth.api('POST', '/api/v1/projects', { name: `paged-${i}` });
  const first = (await berth.api('GET', '/api/v1/audit?action=POST%20/projects&limit=2')).body;
  expect(first.items).toHaveLength(2);
  const second = (await berth.api('GET', `/api/v1/audit?action=POST%20/projects&limit=2&cursor=${first.nextCursor}`)).body;
  expect(second.items[0].id).toBeLessThan(first.items[1].id);
  expect((await berth.api('GET', `/api/v1/audit?actor=${encodeURIComponent(berth.admin.email)}&outcome=denied`)).body.items).toEqual([]);
  const future = new Date(Date.now() + 3600_000).toISOString();
  expect((await berth.api('GET', `/api/v1/audit?since=${encodeURIComponent(future)}`)).body.items).toEqual([]);
  expect((await berth.api('GET', '/api/v1/audit?since=yesterday')).status).toBe(400);

  const ownPart = await berth.api('GET', '/api/v1/projects/audit-a/audit', undefined, adminOfA);
  expect(ownPart.status).toBe(200);
  expect(ownPart.body.items.length).toBeGreaterThan(0);
  expect(ownPart.body.items.every((e: { projectId: string }) => e.projectId === projectIds.a)).toBe(true);
  expect((await berth.api('GET', '/api/v1/projects/audit-b/audit', undefined, adminOfA)).status).toBe(403);
  expect((await berth.api('GET', '/api/v1/audit', undefined, adminOfA)).status).toBe(403);
});

test('append-only in the database; only the retention prune removes, and only what is old', async () => {
  const db = berth.database.db;
  const refusal = (work: Promise<unknown>) => work.then(() => 'allowed', (err: Error & { cause?: Error }) => `${err.message} ${err.cause?.message ?? ''}`);
  expect(await refusal(db.execute(sql`update audit_events set outcome = 'succeeded'`))).toMatch(/append-only \(UPDATE refused\)/);
  expect(await refusal(db.execute(sql`delete from audit_events`))).toMatch(/append-only \(DELETE refused\)/);
  const total = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(auditEvents))[0]?.n ?? 0;
  const count = await total();
  await appendAudit(db, [
    { at: new Date(Date.now() - 400 * 86_400_000), actorKind: 'schedule', actorId: 'old', actorName: 'old', action: 'old.thing', target: '/old', projectId: null, outcome: 'succeeded', status: null, requestId: null, address: null, detail: {} },
  ]);
  expect(await total()).toBe(count + 1);
  expect(await pruneAudit(db, 365)).toBe(1);
  expect(await total()).toBe(count);
});
