// What the web UI adds to the API listener: GET /overview (one request for the first page, only
// the projects the caller may read, with what the caller may do there), its change stream, the
// deployment's detail (names, release, what is live now), and the UI's shell and assets served
// under the strict Content-Security-Policy with no inline script.
import { eq } from 'drizzle-orm';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deployments, projects, reconcileEvents } from '../../db/schema/index.js';
import { newId } from '../../src/ids.js';
import { addMember, makeToken, makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';

let berth: TestBerth;
const tokens: Record<string, string> = {};
let deploymentId = '';

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  const db = berth.database.db;
  for (const name of ['ui-a', 'ui-b']) expect((await berth.api('POST', '/api/v1/projects', { name })).status).toBe(201);
  const app = await berth.api('POST', '/api/v1/apps', { project: 'ui-a', name: 'ui-web', image: 'berth-local/hello:v1' });
  expect((await berth.api('POST', '/api/v1/apps', { project: 'ui-b', name: 'ui-other', image: 'berth-local/hello:v1' })).status).toBe(201);
  const env = await berth.api('POST', '/api/v1/apps/ui-web/environments', { name: 'prod' });
  deploymentId = newId('dep');
  await db.insert(deployments).values({ id: deploymentId, appId: app.body.id, environmentId: env.body.id, kind: 'deploy', trigger: 'api', request: {}, status: 'running', workflowId: `deploy-${deploymentId}` });
  const [a] = await db.select().from(projects).where(eq(projects.name, 'ui-a'));
  for (const role of ['viewer', 'deployer', 'admin'] as const) {
    const user = await makeUser(db);
    await addMember(db, (a as { id: string }).id, user.id, role);
    tokens[role] = await makeToken(db, user.id);
  }
  const deployerRead = await makeUser(db);
  await addMember(db, (a as { id: string }).id, deployerRead.id, 'deployer');
  tokens.deployerReadToken = await makeToken(db, deployerRead.id, { scope: 'read' });
  tokens.stranger = await makeToken(db, (await makeUser(db)).id);
});

afterAll(async () => {
  await berth?.close();
});

describe('GET /overview', () => {
  test('needs a signed-in caller', async () => {
    expect((await berth.app.request('/api/v1/overview')).status).toBe(401);
    expect((await berth.app.request('/api/v1/overview/events')).status).toBe(401);
  });

  test('projects → apps → environments, with what is deploying now', async () => {
    const res = await berth.api('GET', '/api/v1/overview');
    expect(res.status).toBe(200);
    const a = res.body.projects.find((p: { name: string }) => p.name === 'ui-a');
    expect(a.can).toEqual({ deploy: true, manage: true, own: true });
    const env = a.apps[0].environments[0];
    expect(a.apps[0].name).toBe('ui-web');
    expect(env).toMatchObject({ name: 'prod', live: null, latest: { id: deploymentId, status: 'running' }, active: [{ id: deploymentId }], lastDrift: null });
    expect(env.url).toMatch(/^http:\/\/ui-web\.prod\./);
  });

  test('each caller sees only its projects, and what its role and token allow there', async () => {
    const as = async (who: string) => (await berth.api('GET', '/api/v1/overview', undefined, tokens[who])).body.projects as { name: string; can: object }[];
    expect(await as('stranger')).toEqual([]);
    expect((await as('viewer')).map((p) => [p.name, p.can])).toEqual([['ui-a', { deploy: false, manage: false, own: false }]]);
    expect((await as('deployer'))[0]?.can).toEqual({ deploy: true, manage: false, own: false });
    expect((await as('admin'))[0]?.can).toEqual({ deploy: true, manage: true, own: false });
    // A read-scoped token does no more than read, whatever its user's role.
    expect((await as('deployerReadToken'))[0]?.can).toEqual({ deploy: false, manage: false, own: false });
  });

  test('the change stream says "changed" at once and again when a deployment moves on', async () => {
    const res = await berth.request('/api/v1/overview/events');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const changes = () => text.split('event: changed').length - 1;
    const readUntil = async (n: number) => {
      while (changes() < n) text += decoder.decode((await reader.read()).value ?? new Uint8Array(), { stream: true });
    };
    await readUntil(1);
    await berth.database.db.update(deployments).set({ status: 'succeeded', finishedAt: new Date() }).where(eq(deployments.id, deploymentId));
    await readUntil(2);
    await reader.cancel();
    expect(changes()).toBe(2);
  });
});

describe('health', () => {
  test('the last drift reconcile found in an environment, and what it did', async () => {
    const env = (await berth.api('GET', '/api/v1/apps/ui-web/environments/prod')).body;
    await berth.database.db.insert(reconcileEvents).values({ environmentId: env.id, drift: 'container-exited', action: 'started', outcome: 'done', trigger: 'schedule' });
    const overview = (await berth.api('GET', '/api/v1/overview')).body;
    const found = overview.projects.find((p: { name: string }) => p.name === 'ui-a').apps[0].environments[0];
    expect(found.lastDrift).toMatchObject({ drift: 'container-exited', action: 'started', outcome: 'done' });
  });
});

describe('GET /deployments/{id}', () => {
  test('names its app and environment, and says what is live now', async () => {
    const res = await berth.api('GET', `/api/v1/deployments/${deploymentId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: deploymentId, app: 'ui-web', environment: 'prod', release: null, liveNow: null, commit: null });
    expect((await berth.api('GET', `/api/v1/deployments/${deploymentId}`, undefined, tokens.stranger)).status).toBe(403);
  });
});

describe('the web UI', () => {
  test('/ leads to it; every path under /ui is the same small shell; nothing inline', async () => {
    const root = await berth.app.request('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    for (const path of ['/ui', '/ui/', '/ui/apps/anything', '/ui/deployments/dep_x']) {
      const res = await berth.app.request(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
      // Scripts only by src, from Berth itself: the CSP would refuse anything else.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc="\/ui\/assets\/app\.[0-9a-f]{12}\.js")[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html.length).toBeLessThan(1024);
    }
  });

  test('its assets have hashed names, are cached for good, and are gzipped for browsers that accept it', async () => {
    const html = await (await berth.app.request('/ui/')).text();
    const script = /src="(\/ui\/assets\/app\.[0-9a-f]{12}\.js)"/.exec(html)?.[1] as string;
    const style = /href="(\/ui\/assets\/app\.[0-9a-f]{12}\.css)"/.exec(html)?.[1] as string;
    const plain = await berth.app.request(script);
    expect(plain.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(plain.headers.get('cache-control')).toMatch(/immutable/);
    const body = new Uint8Array(await plain.arrayBuffer());
    const zipped = await berth.app.request(script, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(new Uint8Array(await zipped.arrayBuffer()))).toEqual(Buffer.from(body));
    expect((await berth.app.request(style)).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await berth.app.request('/ui/assets/app.000000000000.js')).status).toBe(404);
  });
});
