// Key rotation end to end: every kind of sealed value (and one in the format from before key
// ids) re-sealed under a new key by the rotation workflow, its worker SIGKILLed mid-way and a
// new one finishing it; then every value still opens, the old key is retired, no plaintext is
// in the database, and a second rotation (timed) moves everything on again. A secret variable
// found in plain text is sealed when a worker starts.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eq } from 'drizzle-orm';
import { countByKey } from '../../db/queries/sealed-fields.js';
import { projects, projectVariables } from '../../db/schema/index.js';
import { readKeyRing } from '../../src/process/key-ring-watch.js';
import { KEY_SETTLE_MS } from '../../src/secrets/key-ring.js';
import { createSecretBox, type SecretBox } from '../../src/secrets/secret-box.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { databaseText, openEverySealedValue, plantSealedValues } from '../support/sealed-values.js';
import { waitFor } from '../support/wait.js';
import type { Json } from '../support/json.js';

const PROJECT_SECRETS = 1000;
let berth: TestBerth;
let worker: ChildProcess;
let box: SecretBox;
let plain: string[];

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  worker = await berth.spawnWorker();
  box = createSecretBox(berth.ring);
  plain = await plantSealedValues(berth, box, { app: 'keys', projectSecrets: PROJECT_SECRETS });
}, 120_000);

afterAll(async () => {
  await berth?.close();
});

const rotation = async () => (await berth.api('GET', '/api/v1/admin/keys/rotation')).body;
const openAll = async () => {
  // A process that has only the configured key and the database: what a restarted Berth has.
  const fresh = createSecretBox(await readKeyRing(berth.database.db, Buffer.from(berth.env.BERTH_SECRET_KEY as string, 'base64')));
  return openEverySealedValue(berth.database.db, fresh);
};

async function finished(): Promise<Json> {
  return waitFor('the rotation to end', async () => {
    const r = await rotation();
    return r.status !== 'RUNNING' ? r : undefined;
  }, 180_000);
}

test('a rotation killed mid-way resumes on a new worker and finishes: every value opens, under the new key only', async () => {
  const masterId = berth.ring.masterId;
  const before = await countByKey(berth.database.db);
  expect(before.v1).toBe(1);
  // Every sealed field has a value, so a field the rotation skipped would show below.
  for (const { field, plain: p } of await openAll()) expect(p.length, field).toBeGreaterThan(0);

  const started = await berth.api('POST', '/api/v1/admin/keys/rotate', { batchSize: 20 });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const keyId = started.body.keyId as string;
  expect((await berth.api('POST', '/api/v1/admin/keys/rotate', {})).status).toBe(409);

  const atKill = await waitFor('re-sealing to be under way', async () => {
    const r = await rotation();
    return r.progress?.phase === 'resealing' && r.progress.resealed > 0 ? r : undefined;
  }, 60_000, 20);
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));
  const resealedAtKill = atKill.progress.resealed as number;
  const total = Object.values(before).reduce((a, b) => a + b, 0);
  expect(resealedAtKill).toBeLessThan(total);
  await sleep(500);
  worker = await berth.spawnWorker();

  const done = await finished();
  expect(done.status, JSON.stringify(done)).toBe('COMPLETED');
  expect(done.progress.phase).toBe('done');
  expect(done.progress.unreadable).toEqual([]);
  // A batch cut short by the kill may have re-sealed some values already: its retry skips them
  // (each update checks the value it read), so nothing is re-sealed twice.
  expect(done.progress.resealed).toBeLessThanOrEqual(total);
  expect(done.progress.resealed).toBeGreaterThanOrEqual(total - 20);
  expect(done.progress.retired).toEqual([masterId].sort());

  expect(await countByKey(berth.database.db)).toEqual({ [keyId]: total });
  const opened = (await openAll()).flatMap((f) => f.plain);
  for (const p of plain) expect(opened, p).toContain(p);

  const keys = (await berth.api('GET', '/api/v1/admin/keys')).body.items as Json[];
  expect(keys.map((k) => [k.id, k.state, k.source, k.values]).sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
    [keyId, 'current', 'generated', total],
    [masterId, 'retired', 'configured', 0],
  ]);
  // Ids and states only: no key material in any answer.
  expect(JSON.stringify(keys)).not.toMatch(/wrapped/);

  // What the API seals now goes under the new key; the API still reads what the rotation moved.
  expect((await berth.api('PATCH', '/api/v1/projects/p-keys/variables', { variables: { NEW: 'after-rotation-value' }, secret: ['NEW'] })).status).toBe(200);
  expect((await countByKey(berth.database.db))[keyId]).toBe(total + 1);
  const effective = await berth.api('GET', '/api/v1/apps/keys/environments/prod/variables/effective');
  expect(effective.status).toBe(200);
  expect(effective.body.errors).toEqual([]);

  // Not one plaintext in the database: rows, the key table, the audit log.
  const text = await databaseText(berth.database.db);
  for (const p of [...plain, 'after-rotation-value']) expect(text.includes(p), p).toBe(false);
  expect(text).not.toContain(berth.env.BERTH_SECRET_KEY);
}, 300_000);

test('a second rotation moves everything on again and retires the first one’s key; its time is printed', async () => {
  const before = await countByKey(berth.database.db);
  const total = Object.values(before).reduce((a, b) => a + b, 0);
  const started = await berth.api('POST', '/api/v1/admin/keys/rotate', { batchSize: 200 });
  expect(started.status).toBe(202);
  const done = await finished();
  expect(done.status).toBe('COMPLETED');
  expect(await countByKey(berth.database.db)).toEqual({ [started.body.keyId]: total });
  expect(done.progress.retired).toEqual(Object.keys(before));
  const opened = (await openAll()).flatMap((f) => f.plain);
  for (const p of plain) expect(opened, p).toContain(p);
  const ms = Date.parse(done.closedAt) - Date.parse(done.startedAt) - KEY_SETTLE_MS;
  process.stdout.write(`rotation: ${total} sealed values re-sealed in ${ms} ms after the ${KEY_SETTLE_MS} ms settle (batches of 200; ${(ms / total).toFixed(2)} ms per value)\n`);
}, 300_000);

test('bad input changes nothing; only instance administrators may rotate', async () => {
  const keysBefore = (await berth.api('GET', '/api/v1/admin/keys')).body;
  for (const body of [{ batchSize: 0 }, { batchSize: 'x' }, { batchSize: 10_000 }, { other: 1 }]) {
    expect((await berth.api('POST', '/api/v1/admin/keys/rotate', body)).status, JSON.stringify(body)).toBe(400);
  }
  expect((await berth.api('POST', '/api/v1/admin/keys/rotate', {}, null)).status).toBe(401);
  expect((await berth.api('GET', '/api/v1/admin/keys', undefined, null)).status).toBe(401);
  expect((await berth.api('GET', '/api/v1/admin/keys')).body).toEqual(keysBefore);
});

test('a secret variable stored in plain text (an older version, or by hand) is sealed when a worker starts', async () => {
  const value = `plain-at-rest-${Date.now()}`;
  const [project] = (await berth.database.db.select().from(projects).where(eq(projects.name, 'p-keys'))) as { id: string }[];
  await berth.database.db.insert(projectVariables).values({ projectId: (project as { id: string }).id, key: 'WAS_PLAIN', value, secret: true });
  expect(await databaseText(berth.database.db)).toContain(value);
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));
  worker = await berth.spawnWorker();
  expect(await databaseText(berth.database.db)).not.toContain(value);
  const opened = (await openAll()).find((f) => f.field === 'project_variables.value')?.plain ?? [];
  expect(opened).toContain(value);
}, 120_000);
