// Bad input gets a clear 4xx error in one JSON shape and changes nothing: no row written, no
// workflow started. Every endpoint, against the real database and Temporal server.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { snapshot as takeSnapshot } from '../support/snapshot.js';

let berth: TestBerth;

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  const ok = async (method: string, path: string, body: unknown) => {
    const res = await berth.api(method, path, body);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  };
  await ok('POST', '/api/v1/projects', { name: 'shop' });
  await ok('POST', '/api/v1/apps', { project: 'shop', name: 'web', image: 'berth-local/hello:v1' });
  await ok('POST', '/api/v1/apps', { project: 'shop', name: 'noimage' });
  await ok('POST', '/api/v1/apps/web/environments', { name: 'prod', domains: ['shop.example.com'] });
  await ok('POST', '/api/v1/apps/noimage/environments', { name: 'prod' });
  await ok('PUT', '/api/v1/apps/web/environments/prod/variables', { variables: { A: '1' } });
});

afterAll(async () => {
  await berth?.close();
});

const snapshot = () => takeSnapshot(berth);

type Case = [method: string, path: string, body: unknown, status: number, type: string, matches?: RegExp];

const cases: Case[] = [
  ['POST', '/api/v1/projects', {}, 400, 'ValidationFailed', /name/],
  ['POST', '/api/v1/projects', { name: 'Bad Name' }, 400, 'ValidationFailed', /name/],
  ['POST', '/api/v1/projects', { name: 'ok', extra: 1 }, 400, 'ValidationFailed', /extra/],
  ['POST', '/api/v1/projects', '{"name": "broken"', 400, 'ValidationFailed', /JSON/i],
  ['POST', '/api/v1/projects', { name: 'shop' }, 409, 'Conflict', /already exists/],
  ['GET', '/api/v1/projects/NOT_A_NAME', undefined, 400, 'ValidationFailed', /project/],
  ['GET', '/api/v1/projects/missing', undefined, 404, 'NotFound'],
  ['DELETE', '/api/v1/projects/shop', undefined, 409, 'Conflict', /still has apps/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', image: 'NOT A REF' }, 400, 'ValidationFailed', /image/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', port: 0 }, 400, 'ValidationFailed', /port/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', replicas: 0 }, 400, 'ValidationFailed', /replicas/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', healthCheck: { path: 'no-slash' } }, 400, 'ValidationFailed', /healthCheck\.path/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', healthCheck: { intervalMs: 1 } }, 400, 'ValidationFailed', /intervalMs/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', command: 'sh -c x' }, 400, 'ValidationFailed', /command/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'stack' }, 400, 'ValidationFailed', /kind/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', static: { spa: true } }, 400, 'ValidationFailed', /static/],
  ['POST', '/api/v1/apps', { project: 'nope', name: 'x' }, 404, 'NotFound', /project/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'web' }, 409, 'Conflict'],
  ['GET', '/api/v1/apps?project=nope', undefined, 404, 'NotFound'],
  ['PATCH', '/api/v1/apps/web', { replicas: -1 }, 400, 'ValidationFailed', /replicas/],
  ['PATCH', '/api/v1/apps/web', { name: 'renamed' }, 400, 'ValidationFailed', /name/],
  ['PATCH', '/api/v1/apps/missing', { replicas: 2 }, 404, 'NotFound'],
  ['POST', '/api/v1/apps/web/environments', { name: 'Prod!' }, 400, 'ValidationFailed', /name/],
  ['POST', '/api/v1/apps/web/environments', { name: 'stage', domains: ['bad_domain'] }, 400, 'ValidationFailed', /domains/],
  ['POST', '/api/v1/apps/web/environments', { name: 'stage', retention: 0 }, 400, 'ValidationFailed', /retention/],
  ['POST', '/api/v1/apps/web/environments', { name: 'stage', queuePolicy: 'lifo' }, 400, 'ValidationFailed', /queuePolicy/],
  ['POST', '/api/v1/apps/web/environments', { name: 'stage', parent: 'nope' }, 400, 'ValidationFailed', /parent/],
  ['POST', '/api/v1/apps/web/environments', { name: 'stage', domains: ['shop.example.com'] }, 409, 'Conflict', /domain/],
  ['POST', '/api/v1/apps/web/environments', { name: 'stage', domains: ['noimage.prod.localhost'] }, 400, 'ValidationFailed', /under the apps domain/],
  ['POST', '/api/v1/apps/noimage/environments', { name: 'stage', domains: ['pr-3.shop.example.com'] }, 409, 'Conflict', /previews/],
  // A blue-green release of the environment with shop.example.com answers on next.shop.example.com first.
  ['POST', '/api/v1/apps/noimage/environments', { name: 'stage', domains: ['next.shop.example.com'] }, 409, 'Conflict', /previews/],
  ['POST', '/api/v1/apps/web/environments', { name: 'prod' }, 409, 'Conflict'],
  ['POST', '/api/v1/apps/missing/environments', { name: 'prod' }, 404, 'NotFound'],
  ['PATCH', '/api/v1/apps/web/environments/prod', { drainSeconds: 9999 }, 400, 'ValidationFailed', /drainSeconds/],
  ['PATCH', '/api/v1/apps/web/environments/nope', { drainSeconds: 1 }, 404, 'NotFound'],
  ['PUT', '/api/v1/apps/web/environments/prod/variables', { variables: { '1BAD': 'x' } }, 400, 'ValidationFailed', /not a variable name/],
  ['PUT', '/api/v1/apps/web/environments/prod/variables', { variables: { OK: 'a\u0000b' } }, 400, 'ValidationFailed', /NUL/],
  ['PUT', '/api/v1/apps/web/environments/prod/variables', { variables: ['A=1'] }, 400, 'ValidationFailed'],
  ['DELETE', '/api/v1/apps/web/environments/prod/variables/NOPE', undefined, 404, 'NotFound'],
  ['POST', '/api/v1/apps/web/environments/prod/deployments', { image: 'NOT VALID' }, 400, 'ValidationFailed', /image/],
  ['POST', '/api/v1/apps/web/environments/prod/deployments', { image: 'a:b', force: true }, 400, 'ValidationFailed', /force/],
  ['POST', '/api/v1/apps/noimage/environments/prod/deployments', {}, 400, 'ValidationFailed', /no image/],
  ['POST', '/api/v1/apps/web/environments/nope/deployments', {}, 404, 'NotFound', /environment/],
  ['POST', '/api/v1/apps/web/environments/prod/rollback', { releaseId: 'nope' }, 400, 'ValidationFailed', /releaseId/],
  ['POST', '/api/v1/apps/web/environments/prod/rollback', { releaseId: 'rel_0000000000abcdef' }, 404, 'NotFound', /release/],
  ['POST', '/api/v1/apps/web/environments/prod/rollback', {}, 409, 'Conflict', /no earlier release/],
  ['GET', '/api/v1/deployments?status=bogus', undefined, 400, 'ValidationFailed', /status/],
  ['GET', '/api/v1/deployments?limit=0', undefined, 400, 'ValidationFailed', /limit/],
  ['GET', '/api/v1/deployments?cursor=abc', undefined, 400, 'ValidationFailed', /cursor/],
  ['GET', '/api/v1/deployments?environment=prod', undefined, 400, 'ValidationFailed', /app/],
  ['GET', '/api/v1/deployments/not-an-id', undefined, 400, 'ValidationFailed', /id/],
  ['GET', '/api/v1/deployments/dep_0000000000abcdef', undefined, 404, 'NotFound'],
  ['POST', '/api/v1/deployments/dep_0000000000abcdef/cancel', undefined, 404, 'NotFound'],
  ['GET', '/api/v1/deployments/dep_0000000000abcdef/logs?after=-1', undefined, 400, 'ValidationFailed', /after/],
  ['GET', '/api/v1/deployments/dep_0000000000abcdef/events', undefined, 404, 'NotFound'],
  ['GET', '/api/v1/no/such/route', undefined, 404, 'NotFound', /no route/],
  ['POST', '/api/v1/projects', JSON.stringify({ name: 'big', description: 'x'.repeat(2 * 1024 * 1024) }), 413, 'PayloadTooLarge'],
];

describe('bad input', () => {
  test.each(cases)('%s %s (case %#)', async (method, path, body, status, type, matches) => {
    const before = await snapshot();
    const res = await berth.api(method, path, body);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(status);
    expect(res.body.error.type).toBe(type);
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.error.requestId).toMatch(/.{8,}/);
    if (matches) expect(res.body.error.message).toMatch(matches);
    expect(await snapshot()).toEqual(before);
  });

  test('a body without a JSON content type is refused', async () => {
    const before = await snapshot();
    const res = await berth.request('/api/v1/projects', { method: 'POST', body: '{"name":"plain"}', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await snapshot()).toEqual(before);
  });
});

test('the OpenAPI document describes every route and the reference page is served locally', async () => {
  const doc = await berth.api('GET', '/api/v1/openapi.json');
  expect(doc.status).toBe(200);
  expect(doc.body.openapi).toBe('3.1.0');
  for (const path of [
    '/projects',
    '/apps',
    '/apps/{app}/environments',
    '/apps/{app}/environments/{env}/deployments',
    '/apps/{app}/environments/{env}/rollback',
    '/apps/{app}/environments/{env}/releases',
    '/deployments/{id}',
    '/deployments/{id}/cancel',
    '/deployments/{id}/events',
  ]) {
    expect(Object.keys(doc.body.paths), path).toContain(path);
  }
  const page = await berth.app.request('/api/v1/reference');
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('reference/swagger-ui-bundle.js');
  expect(await (await berth.app.request('/api/v1/reference/init.js')).text()).toContain('SwaggerUIBundle');
  const asset = await berth.app.request('/api/v1/reference/swagger-ui-bundle.js');
  expect(asset.status).toBe(200);
  expect((await asset.text()).length).toBeGreaterThan(100_000);
});

test('a client request id is echoed; otherwise one is made', async () => {
  const given = await berth.request('/api/v1/projects', { headers: { 'x-request-id': 'trace-12345678' } });
  expect(given.headers.get('x-request-id')).toBe('trace-12345678');
  const made = await berth.request('/api/v1/projects', { headers: { 'x-request-id': 'bad id with spaces' } });
  expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});
