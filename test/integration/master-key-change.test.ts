// Changing the master key (BERTH_SECRET_KEY) end to end, and removing retired keys: a Berth
// sealing under key A is restarted with B as its key and A as BERTH_SECRET_KEY_PREVIOUS (the
// stored keys are wrapped again under B at start), a rotation re-seals everything, and Berth
// then runs on B alone: every sealed value (the v1 format too) still opens, a release made
// before the change still rolls back with its secret variable, and the database opens with B
// only. A retired key is removed only once nothing uses it (409 naming the count before).
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../api/app.js';
import { countByKey } from '../../db/queries/sealed-fields.js';
import { projectVariableContext } from '../../db/queries/variables.js';
import { projects, projectVariables, secretKeys } from '../../db/schema/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { apiDeps } from '../../src/process/api-server.js';
import { readKeyRing } from '../../src/process/key-ring-watch.js';
import { masterKeyId } from '../../src/secrets/key-ring.js';
import { createSecretBox, loadSecretKey } from '../../src/secrets/secret-box.js';
import { createTemporalClient } from '../../src/temporal/client.js';
import { laneWorkflowId } from '../../src/domain/workflow-ids.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, type AppFixture } from '../support/fixtures.js';
import type { Json } from '../support/json.js';
import { openEverySealedValue, plantSealedValues } from '../support/sealed-values.js';
import { waitFor } from '../support/wait.js';

const FINAL = ['succeeded', 'failed', 'cancelled', 'superseded', 'rolled-back'];
const B = randomBytes(32).toString('base64');
let berth: TestBerth;
let A: string;
let worker: ChildProcess;
let fx: AppFixture;
let plain: string[];
const planted = `token-${randomBytes(8).toString('hex')}`;
const closers: (() => Promise<void>)[] = [];

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Json }>;

/** An API process as a restart with this key configuration makes it, on the same database and namespace. */
async function apiWith(keys: Record<string, string>): Promise<Api> {
  const config = loadConfig({ ...berth.env, ...keys });
  const ring = await readKeyRing(berth.database.db, loadSecretKey(config.secrets), config.secrets.previousKey);
  const temporal = await createTemporalClient(config.temporal, ring);
  closers.push(() => temporal.connection.close());
  const app = createApp(apiDeps({ config, database: berth.database, temporal, log: createLogger(config.log), ring }));
  return async (method, path, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${berth.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : null };
  };
}

async function restartWorker(keys: Record<string, string>) {
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));
  worker = await berth.spawnWorker(keys);
}

async function deployed(api: Api, res: { status: number; body: Json }) {
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const d = await waitFor('the deployment to end', async () => {
    const r = await api('GET', `/api/v1/deployments/${res.body.deploymentId}`);
    return FINAL.includes(r.body?.status) ? r.body : undefined;
  }, 60_000, 100);
  expect(d.status, d.message).toBe('succeeded');
  return d;
}

/** TOKEN in the running container of a release (a rollback runs the release's kept container again). */
async function containerToken(releaseId: string): Promise<string | undefined> {
  const mine = (await berth.containers(fx.environmentId)).find((c) => c.Labels['berth.release'] === releaseId && c.State === 'running');
  const env = (await berth.docker.getContainer(mine?.Id as string).inspect()).Config.Env;
  return env.find((e) => e.startsWith('TOKEN='))?.slice('TOKEN='.length);
}

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  A = berth.env.BERTH_SECRET_KEY as string;
  worker = await berth.spawnWorker();
  // Every kind of sealed value, one in the format from before key ids (sealed with A itself).
  plain = await plantSealedValues(berth, createSecretBox(berth.ring), { app: 'mkplant', projectSecrets: 20 });
  fx = await createImageApp(berth, { app: 'mk', image: 'berth-local/hello:v1' });
}, 120_000);

afterAll(async () => {
  for (const close of closers) await close().catch(() => {});
  await berth?.close();
});

describe('changing the master key', () => {
  let release1: string;
  let newKey: string;

  test('a release is made under key A', async () => {
    expect((await berth.api('PUT', `${fx.base}/variables`, { variables: { TOKEN: planted }, secret: ['TOKEN'] })).status).toBe(200);
    const d = await deployed(berth.api.bind(berth), await berth.api('POST', `${fx.base}/deployments`, { image: 'berth-local/hello:v1' }));
    release1 = d.releaseId;
    expect(await containerToken(d.releaseId)).toBe(planted);
  });

  test('B beside A: keys wrapped again under B at start; a rotation re-seals everything under a new key', async () => {
    await restartWorker({ BERTH_SECRET_KEY: B, BERTH_SECRET_KEY_PREVIOUS: A });
    const api = await apiWith({ BERTH_SECRET_KEY: B, BERTH_SECRET_KEY_PREVIOUS: A });
    const idA = masterKeyId(Buffer.from(A, 'base64'));
    // A is a stored key now, wrapped under B (it sealed everything so far, and is still current).
    const [rowA] = await berth.database.db.select().from(secretKeys).where(eq(secretKeys.id, idA));
    expect(rowA).toMatchObject({ state: 'current' });
    expect(rowA?.wrapped).toBeTruthy();

    const started = await api('POST', '/api/v1/admin/keys/rotate', { batchSize: 50 });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    newKey = started.body.keyId;
    const done = await waitFor('the rotation to end', async () => {
      const r = await api('GET', '/api/v1/admin/keys/rotation');
      return r.body?.status && r.body.status !== 'RUNNING' ? r.body : undefined;
    }, 60_000, 200);
    expect(done.status, JSON.stringify(done)).toBe('COMPLETED');
    expect(done.progress.unreadable).toEqual([]);
    expect(Object.keys(await countByKey(berth.database.db))).toEqual([newKey]);
    const keys = (await api('GET', '/api/v1/admin/keys')).body.items as { id: string; state: string; values: number }[];
    expect(keys.find((k) => k.id === idA)).toMatchObject({ state: 'retired', values: 0, source: 'replaced' });
    expect(keys.find((k) => k.id === newKey)).toMatchObject({ state: 'current' });
  }, 90_000);

  test('on B alone: every value opens, and the release from before the change rolls back with its secret', async () => {
    await restartWorker({ BERTH_SECRET_KEY: B });
    // What a restarted Berth has: B and the database.
    const fresh = createSecretBox(await readKeyRing(berth.database.db, Buffer.from(B, 'base64')));
    const opened = (await openEverySealedValue(berth.database.db, fresh)).flatMap((f) => f.plain);
    for (const p of plain) expect(opened).toContain(p);
    const api = await apiWith({ BERTH_SECRET_KEY: B });
    const second = await deployed(api, await api('PATCH', `${fx.base}/variables`, { variables: { TOKEN: 'changed-after' }, secret: ['TOKEN'] }).then(() => api('POST', `${fx.base}/deployments`, { image: 'berth-local/hello:v1' })));
    expect(await containerToken(second.releaseId)).toBe('changed-after');
    const back = await deployed(api, await api('POST', `${fx.base}/rollback`, { releaseId: release1 }));
    expect(back.releaseId).toBe(release1);
    expect(await containerToken(back.releaseId)).toBe(planted);
  }, 90_000);
});

describe('removing retired keys', () => {
  test('refused with a 409 while values or open workflows use the key; removed once nothing does', async () => {
    const api = await apiWith({ BERTH_SECRET_KEY: B });
    const idA = masterKeyId(Buffer.from(A, 'base64'));
    const idB = masterKeyId(Buffer.from(B, 'base64'));
    const keys = (await api('GET', '/api/v1/admin/keys')).body.items as { id: string; state: string }[];
    const current = keys.find((k) => k.state === 'current')?.id as string;
    expect((await api('DELETE', `/api/v1/admin/keys/${current}`)).status).toBe(409);
    expect((await api('DELETE', `/api/v1/admin/keys/${idB}`)).status).toBe(409);
    expect((await api('DELETE', '/api/v1/admin/keys/key_nosuchkey')).status).toBe(404);

    // A value a rotation did not reach (restored from a backup, say) is still under A.
    const [project] = await berth.database.db.select().from(projects).where(eq(projects.name, 'p-mkplant'));
    const [row] = await berth.database.db.select().from(projectVariables).where(eq(projectVariables.projectId, project?.id as string));
    const box = createSecretBox(await readKeyRing(berth.database.db, Buffer.from(B, 'base64')));
    const context = projectVariableContext(row?.projectId as string, row?.key as string);
    const rows = () => berth.database.db.select().from(secretKeys);
    const before = await rows();
    await berth.database.db.update(projectVariables).set({ value: box.reseal(row?.value as string, context, idA) }).where(eq(projectVariables.key, row?.key as string));
    const refused = await api('DELETE', `/api/v1/admin/keys/${idA}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('1 stored value');
    expect(await rows()).toEqual(before);
    await berth.database.db.update(projectVariables).set({ value: box.reseal(row?.value as string, context, current) }).where(eq(projectVariables.key, row?.key as string));

    // The environment's lane was open through the change: its history holds payloads under A.
    const busy = await api('DELETE', `/api/v1/admin/keys/${idA}`);
    expect(busy.status, JSON.stringify(busy.body)).toBe(409);
    expect(busy.body.error.message).toContain(`workflow ${laneWorkflowId(fx.environmentId)}`);
    expect(await rows()).toEqual(before);
    // Removing the app ends its lanes (Berth's own removal), then nothing uses A.
    for (const app of ['mk', 'mkplant']) expect((await api('DELETE', `/api/v1/apps/${app}?confirm=${app}`)).status).toBeLessThan(300);
    const removed = await waitFor('the key to be removable', async () => {
      const r = await api('DELETE', `/api/v1/admin/keys/${idA}`);
      return r.status === 200 ? r.body : undefined;
    }, 30_000, 500);
    expect(removed).toEqual({ id: idA, removed: true });
    expect((await rows()).map((r) => r.id)).not.toContain(idA);
    // The database still opens with B alone.
    await readKeyRing(berth.database.db, Buffer.from(B, 'base64'));
  }, 60_000);
});
