// Variables at three levels (project, environment through its parent chain, a deploy's own),
// references, the app's variable schema, environments made from a template and the diff of two
// releases — against the real database, Temporal, Docker and Traefik. Refusals name the key and
// change nothing; the secret values planted at the project and deploy levels reach the
// container and nowhere else.
import { historyText } from '../support/history-text.js';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as schema from '../../db/schema/index.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, type AppFixture } from '../support/fixtures.js';
import type { Json } from '../support/json.js';
import { snapshot } from '../support/snapshot.js';
import { waitForDeployment } from '../support/wait.js';

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(chunk.toString());
    done();
  },
});
const planted = { project: `prj-secret-${randomUUID()}`, deploy: `dep-secret-${randomUUID()}`, deploy2: `dep-secret-${randomUUID()}`, env: `env-secret-${randomUUID()}` };
const answers: string[] = [];
let berth: TestBerth;
let fx: AppFixture;
const base = () => fx.base.replace(/\/prod$/, '/base');

async function call(method: string, path: string, body?: unknown) {
  const res = await berth.api(method, path, body);
  answers.push(JSON.stringify(res.body));
  return res;
}

/** The container of a deployment, its environment as Docker has it. */
async function containerEnv(deploymentId: string): Promise<Record<string, string>> {
  const all = await berth.containers(fx.environmentId);
  const mine = all.find((c) => c.Labels['berth.deployment'] === deploymentId);
  expect(mine, 'container of the deployment').toBeDefined();
  const env = (await berth.docker.getContainer(mine?.Id as string).inspect()).Config.Env;
  return Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

async function deployWith(variables: Record<string, string>, secret: string[] = []) {
  const res = await call('POST', `${fx.base}/deployments`, { image: 'berth-local/hello:v1', variables, secret });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const d = await waitForDeployment(berth, res.body.deploymentId);
  expect(d.status, d.message).toBe('succeeded');
  return res.body.deploymentId as string;
}

async function refusedUnchanged(method: string, path: string, body: unknown, keys: string[]) {
  const before = await snapshot(berth);
  const res = await call(method, path, body);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  for (const key of keys) expect(res.body.error.message).toContain(key);
  expect(await snapshot(berth)).toEqual(before);
  return res.body as Json;
}

beforeAll(async () => {
  berth = await startBerth({ logDestination: capture, env: { BERTH_LOG_LEVEL: 'trace' } });
  fx = await createImageApp(berth, { app: 'vars', env: 'base', image: 'berth-local/hello:v1' });
  const prod = await call('POST', '/api/v1/apps/vars/environments', { name: 'prod', parent: 'base', drainSeconds: 0 });
  expect(prod.status).toBe(201);
  fx = { ...fx, env: 'prod', environmentId: prod.body.id, host: prod.body.hosts[0], base: '/api/v1/apps/vars/environments/prod' };
});

afterAll(async () => {
  await berth?.close();
});

describe('three levels', () => {
  const ids: string[] = [];

  test('project < environment chain < deploy; references resolve; the container gets exactly that', async () => {
    expect((await call('PUT', '/api/v1/projects/p-vars/variables', { variables: { SHARED: 'from-project', OVER: 'project', HOST: 'db.internal', P_SECRET: planted.project }, secret: ['P_SECRET'] })).status).toBe(200);
    expect((await call('PUT', `${base()}/variables`, { variables: { OVER: 'base', INHERITED: 'base-only' } })).status).toBe(200);
    const own = await call('PUT', `${fx.base}/variables`, {
      variables: {
        OVER2: 'prod',
        DSN: 'postgres://app:${{ project.P_SECRET }}@${{ project.HOST }}/${{ berth.app }}',
        WHERE: '${{ berth.environment }}#${{ berth.release }}@${{ berth.url }}',
        DEP: '${{ berth.deployment }}',
        CHAIN: '${{ environment.INHERITED }}+${{ environment.OVER }}',
        E_SECRET: planted.env,
      },
      secret: ['E_SECRET'],
    });
    expect(own.status, JSON.stringify(own.body)).toBe(200);

    const eff = await call('GET', `${fx.base}/variables/effective`);
    expect(eff.status).toBe(200);
    const byKey = Object.fromEntries((eff.body.items as Json[]).map((i) => [i.key, i]));
    expect(eff.body.errors).toEqual([]);
    expect(byKey.SHARED).toMatchObject({ value: 'from-project', source: { level: 'project' } });
    expect(byKey.OVER).toMatchObject({ value: 'base', source: { level: 'environment', environment: 'base' } });
    expect(byKey.OVER2).toMatchObject({ value: 'prod', source: { level: 'environment', environment: 'prod' } });
    expect(byKey.P_SECRET).toMatchObject({ value: null, secret: true, source: { level: 'project' } });
    // It takes the project's secret by reference: secret too, masked.
    expect(byKey.DSN).toMatchObject({ value: null, secret: true });
    expect(byKey.CHAIN?.value).toBe('base-only+base');

    ids.push(await deployWith({ OVER: 'deploy', D_SECRET: planted.deploy }, ['D_SECRET']));
    const env = await containerEnv(ids[0] as string);
    expect(env).toMatchObject({
      SHARED: 'from-project',
      OVER: 'deploy',
      OVER2: 'prod',
      INHERITED: 'base-only',
      P_SECRET: planted.project,
      D_SECRET: planted.deploy,
      E_SECRET: planted.env,
      DSN: `postgres://app:${planted.project}@db.internal/vars`,
      WHERE: `prod#1@http://${fx.host}:${berth.config.traefik.port}`,
      DEP: ids[0],
      // environment.NAME is what the deploy sees: its own override included.
      CHAIN: 'base-only+deploy',
    });
    expect(Object.values(env).some((v) => v.includes('${{'))).toBe(false);
  });

  test('a second deploy without overrides falls back to the environment; the diff shows keys, secret ones only as changed', async () => {
    ids.push(await deployWith({ D_SECRET: planted.deploy2, ADDED: 'new' }, ['D_SECRET']));
    const env = await containerEnv(ids[1] as string);
    expect(env.OVER).toBe('base');
    expect(env.D_SECRET).toBe(planted.deploy2);
    const diff = await call('GET', `${fx.base}/releases/1/diff/2`);
    expect(diff.status, JSON.stringify(diff.body)).toBe(200);
    const v = diff.body.variables;
    expect(v.added).toEqual([{ key: 'ADDED', secret: false, value: 'new' }]);
    expect(v.removed).toEqual([]);
    expect(v.changed).toEqual(
      expect.arrayContaining([
        { key: 'D_SECRET', secret: true },
        { key: 'OVER', secret: false, from: 'deploy', to: 'base' },
        { key: 'DEP', secret: false, from: ids[0], to: ids[1] },
      ]),
    );
    expect(v.unchanged).toEqual(expect.arrayContaining([{ key: 'P_SECRET', secret: true }, { key: 'DSN', secret: true }]));
    expect((await call('GET', `${fx.base}/releases/1/diff/9`)).status).toBe(404);
  });
});

describe('references that do not resolve are refused before anything is queued', () => {
  test('a deploy override naming an unset variable: 400 naming the key, nothing changed', async () => {
    await refusedUnchanged('POST', `${fx.base}/deployments`, { image: 'berth-local/hello:v1', variables: { BROKEN: '${{ project.NOPE }}' } }, ['BROKEN', 'project.NOPE']);
    await refusedUnchanged('POST', `${fx.base}/deployments`, { image: 'berth-local/hello:v1', variables: { ODD: '${{ berth.secrets }}' } }, ['ODD']);
  });

  test('a cycle, in a change or a deploy: 400 naming the keys, nothing changed', async () => {
    const body = await refusedUnchanged('PATCH', `${fx.base}/variables`, { variables: { A: '${{ environment.B }}', B: '${{ environment.A }}' } }, ['A', 'B', 'cycle']);
    expect(body.error.issues.map((i: Json) => i.path)).toEqual(expect.arrayContaining(['variables.A', 'variables.B']));
    await refusedUnchanged('POST', `${fx.base}/deployments`, { image: 'berth-local/hello:v1', variables: { LOOP: '${{ environment.LOOP }}' } }, ['LOOP']);
  });

  test('removing a project variable others refer to: 400 naming the referring key', async () => {
    await refusedUnchanged('PATCH', '/api/v1/projects/p-vars/variables', { unset: ['HOST'] }, ['DSN', 'project.HOST']);
  });
});

describe('variable schema', () => {
  test('a schema the environments do not satisfy is refused, then a satisfied one holds every change and deploy', async () => {
    const schemaBody = { variables: { PORT: { type: 'number', required: true }, API_KEY: { type: 'string', required: true, secret: true }, MODE: { type: 'enum', values: ['a', 'b'] } } };
    await refusedUnchanged('PUT', '/api/v1/apps/vars/variable-schema', schemaBody, ['PORT', 'API_KEY']);
    expect((await call('PUT', '/api/v1/projects/p-vars/variables', { variables: { SHARED: 'from-project', OVER: 'project', HOST: 'db.internal', P_SECRET: planted.project, PORT: '8080', API_KEY: planted.project }, secret: ['P_SECRET', 'API_KEY'] })).status).toBe(200);
    const put = await call('PUT', '/api/v1/apps/vars/variable-schema', schemaBody);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect((await call('GET', '/api/v1/apps/vars/variable-schema')).body.variables.PORT).toMatchObject({ type: 'number', required: true });

    await refusedUnchanged('PATCH', `${fx.base}/variables`, { variables: { PORT: 'eighty', MODE: 'c' } }, ['PORT', 'MODE']);
    await refusedUnchanged('PATCH', '/api/v1/projects/p-vars/variables', { variables: { API_KEY: 'now-plain' } }, ['API_KEY']);
    await refusedUnchanged('POST', `${fx.base}/deployments`, { image: 'berth-local/hello:v1', variables: { PORT: 'x' } }, ['PORT']);
    await refusedUnchanged('PUT', '/api/v1/apps/vars/variable-schema', { variables: { X: { type: 'pattern', pattern: '(' } } }, ['X']);
  });
});

describe('environments from a template', () => {
  test('copies settings and own variables (secret ones sealed for the new row); refused when the schema is not met', async () => {
    await call('PATCH', fx.base, { retention: 3, drainSeconds: 1 });
    const made = await call('POST', '/api/v1/apps/vars/environments', { name: 'staging', from: 'prod', drainSeconds: 0 });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ retention: 3, drainSeconds: 0, parent: 'base', domains: [] });
    const vars = await call('GET', '/api/v1/apps/vars/environments/staging/variables');
    expect(vars.body.secret).toEqual(['E_SECRET']);
    expect(vars.body.variables.OVER2).toBe('prod');
    const [row] = (await berth.database.db.select().from(schema.environmentVariables)).filter((r) => r.environmentId === made.body.id && r.key === 'E_SECRET');
    expect(row?.value).toMatch(/^v2\./);
    const eff = await call('GET', '/api/v1/apps/vars/environments/staging/variables/effective');
    expect(eff.body.errors).toEqual([]);

    // Made from nothing, it has no PORT of its own: the project's stands in; without it, refused.
    await refusedUnchanged('PATCH', '/api/v1/projects/p-vars/variables', { unset: ['PORT'] }, ['PORT']);
    await refusedUnchanged('POST', '/api/v1/apps/vars/environments', { name: 'broken', from: 'nope' }, ['nope']);

    // A key only the base environment gives: an environment outside its chain is not made.
    expect((await call('PATCH', `${base()}/variables`, { variables: { REGION: 'eu' } })).status).toBe(200);
    const schema2 = (await call('GET', '/api/v1/apps/vars/variable-schema')).body;
    expect((await call('PUT', '/api/v1/apps/vars/variable-schema', { variables: { ...schema2.variables, REGION: { type: 'string', required: true } } })).status).toBe(200);
    await refusedUnchanged('POST', '/api/v1/apps/vars/environments', { name: 'lonely' }, ['REGION']);
    expect((await call('POST', '/api/v1/apps/vars/environments', { name: 'child', parent: 'base' })).status).toBe(201);
  });
});

test('an untrusted environment (a fork’s preview) gets no secret of any level, nor a value that took one by reference', async () => {
  const fork = await call('POST', '/api/v1/apps/vars/environments', { name: 'pr-7', parent: 'prod', drainSeconds: 0 });
  expect(fork.status, JSON.stringify(fork.body)).toBe(201);
  await berth.database.db.update(schema.environments).set({ untrusted: true }).where(eq(schema.environments.id, fork.body.id));
  const res = await call('POST', '/api/v1/apps/vars/environments/pr-7/deployments', { image: 'berth-local/hello:v1', variables: { D_SECRET: planted.deploy }, secret: ['D_SECRET'] });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect((await waitForDeployment(berth, res.body.deploymentId)).status).toBe('succeeded');
  const [c] = (await berth.containers(fork.body.id)).filter((x) => x.Labels['berth.deployment'] === res.body.deploymentId);
  const env = (await berth.docker.getContainer(c?.Id as string).inspect()).Config.Env.map((e) => e.slice(0, e.indexOf('=')));
  expect(env).toEqual(expect.arrayContaining(['SHARED', 'OVER2', 'WHERE']));
  for (const key of ['P_SECRET', 'E_SECRET', 'D_SECRET', 'API_KEY', 'DSN']) expect(env, key).not.toContain(key);
  const where = (await berth.docker.getContainer(c?.Id as string).inspect()).Config.Env.find((e) => e.startsWith('WHERE='));
  expect(where).toMatch(/^WHERE=pr-7#1@http:\/\/vars\.pr-7\./);
});

test('no planted secret value is in answers, logs, Temporal history or any table', async () => {
  const histories: unknown[] = [];
  for await (const info of berth.temporal.workflow.list()) histories.push(await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory());
  expect(histories.length).toBeGreaterThan(1);
  // Stored encrypted; read as stored and decoded (test/support/history-text.ts).
  const history = await historyText(berth.ring, histories);
  const tables: Record<string, string> = {};
  for (const [name, table] of Object.entries(schema)) {
    if (typeof table === 'object' && table !== null && 'getSQL' in table) tables[name] = JSON.stringify(await berth.database.db.select().from(table as typeof schema.users));
  }
  expect(tables.projectVariables).toMatch(/"key":"P_SECRET","value":"v2\./);
  expect(tables.deploymentVariables).toMatch(/"variablesSealed":"v2\./);
  expect(tables.deploymentVariables).toContain('"OVER":"deploy"');
  expect(history).toContain('vars');
  const places: Record<string, string> = { answers: answers.join('\n'), logs: lines.join(''), history, ...Object.fromEntries(Object.entries(tables).map(([k, v]) => [`table ${k}`, v])) };
  for (const [place, text] of Object.entries(places)) {
    for (const [name, value] of Object.entries(planted)) expect(text.includes(value), `${name} found in ${place}`).toBe(false);
  }
});
