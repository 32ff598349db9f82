// Bad input to the git-deploy endpoints (apps of kind git, rules, the dry run, build secrets,
// deliveries, the GitHub App) gets a clear 4xx in the one error shape and changes nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { ok as call } from '../support/github-berth.js';
import { snapshot } from '../support/snapshot.js';

let berth: TestBerth;

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  const ok = (method: string, path: string, body: unknown) => call(berth, method, path, body);
  await ok('POST', '/api/v1/projects', { name: 'shop' });
  await ok('POST', '/api/v1/apps', { project: 'shop', name: 'web', kind: 'git', git: { url: 'file:///srv/web' } });
  await ok('POST', '/api/v1/apps', { project: 'shop', name: 'img', image: 'berth-local/hello:v1' });
  await ok('POST', '/api/v1/apps/web/environments', { name: 'prod' });
  await ok('PUT', '/api/v1/apps/web/rules', { rules: [{ event: 'push', pattern: 'main', environment: 'prod' }] });
});

afterAll(async () => {
  await berth?.close();
});

type Case = [method: string, path: string, body: unknown, status: number, type: string, matches?: RegExp];

const cases: Case[] = [
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'git' }, 400, 'ValidationFailed', /git: apps of kind git need git settings/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'git', git: {} }, 400, 'ValidationFailed', /repository .* or url/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'git', git: { url: 'ext::sh -c evil' } }, 400, 'ValidationFailed', /git\.url/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'git', git: { repository: 'not a repo' } }, 400, 'ValidationFailed', /git\.repository/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'git', git: { url: 'file:///r', dockerfile: '../../etc/passwd' } }, 400, 'ValidationFailed', /git\.dockerfile/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'git', git: { url: 'file:///r', buildArgs: { 'BAD-NAME': '1' } } }, 400, 'ValidationFailed', /build argument/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'git', image: 'a:b', git: { url: 'file:///r' } }, 400, 'ValidationFailed', /image/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', git: { url: 'file:///r' } }, 400, 'ValidationFailed', /only apps of kind git/],
  ['PATCH', '/api/v1/apps/img', { git: { dockerfile: 'Dockerfile' } }, 400, 'ValidationFailed', /only apps of kind git/],
  ['PATCH', '/api/v1/apps/web', { git: { url: null } }, 400, 'ValidationFailed', /repository or url/],
  ['PUT', '/api/v1/apps/web/rules', { rules: [{ event: 'push', pattern: 'refs/heads/main', environment: 'prod' }] }, 400, 'ValidationFailed', /without refs\/heads/],
  ['PUT', '/api/v1/apps/web/rules', { rules: [{ event: 'push', pattern: 'feature/[x', environment: 'prod' }] }, 400, 'ValidationFailed', /not a valid glob/],
  ['PUT', '/api/v1/apps/web/rules', { rules: [{ event: 'push', pattern: 'main', environment: 'nope' }] }, 400, 'ValidationFailed', /rules\.0\.environment: the app has no environment nope/],
  ['PUT', '/api/v1/apps/web/rules', { rules: [{ event: 'push', pattern: 'main', base: 'main', environment: 'prod' }] }, 400, 'ValidationFailed', /only pull_request rules/],
  ['PUT', '/api/v1/apps/web/rules', { rules: [{ event: 'merge', pattern: 'main', environment: 'prod' }] }, 400, 'ValidationFailed', /event/],
  ['PUT', '/api/v1/apps/web/rules', { rules: [{ event: 'push', pattern: 'main', environment: 'prod', paths: ['./src/**'] }] }, 400, 'ValidationFailed', /leading \.\//],
  ['POST', '/api/v1/apps/web/rules', { event: 'tag', pattern: '', environment: 'prod' }, 400, 'ValidationFailed', /empty/],
  ['POST', '/api/v1/apps/missing/rules', { event: 'tag', pattern: 'v*', environment: 'prod' }, 404, 'NotFound'],
  ['DELETE', '/api/v1/apps/web/rules/rul_0000000000abcdef', undefined, 404, 'NotFound'],
  ['POST', '/api/v1/apps/web/rules/match', { event: 'push' }, 400, 'ValidationFailed', /ref/],
  ['PUT', '/api/v1/apps/web/build-secrets/bad name', { value: 'x' }, 400, 'ValidationFailed', /name/],
  ['PUT', '/api/v1/apps/web/build-secrets/token', { value: '' }, 400, 'ValidationFailed', /value/],
  ['PUT', '/api/v1/apps/img/build-secrets/token', { value: 'x' }, 400, 'ValidationFailed', /only apps built from source/],
  ['DELETE', '/api/v1/apps/web/build-secrets/nope', undefined, 404, 'NotFound'],
  ['POST', '/api/v1/apps/web/environments/prod/deployments', { image: 'a:b' }, 400, 'ValidationFailed', /give ref or sha/],
  ['POST', '/api/v1/apps/web/environments/prod/deployments', { sha: 'abc' }, 400, 'ValidationFailed', /sha/],
  ['POST', '/api/v1/apps/web/environments/prod/deployments', { ref: '--upload-pack=x' }, 400, 'ValidationFailed', /ref/],
  ['POST', '/api/v1/apps/web/environments/prod/deployments', { ref: 'refs/pull/7/head' }, 400, 'ValidationFailed', /deploys as its preview/],
  ['POST', '/api/v1/apps/web/environments/prod/deployments', { ref: 'pull/7/merge' }, 400, 'ValidationFailed', /deploys as its preview/],
  ['POST', '/api/v1/apps/img/environments/prod/deployments', { ref: 'main' }, 404, 'NotFound'],
  ['GET', '/api/v1/github/deliveries?limit=1000', undefined, 400, 'ValidationFailed', /limit/],
  ['GET', '/api/v1/github/deliveries?before=yesterday', undefined, 400, 'ValidationFailed', /before/],
  ['GET', '/api/v1/github/app', undefined, 404, 'NotFound', /GitHub App/],
  ['POST', '/api/v1/github/app/manifest', { name: '<script>' }, 400, 'ValidationFailed', /name/],
  ['GET', '/api/v1/github/installations/abc/repositories', undefined, 400, 'ValidationFailed', /id/],
  ['GET', '/api/v1/github/installations/12/repositories', undefined, 404, 'NotFound'],
  ['GET', '/github/app/callback?code=x&state=nope', undefined, 403, 'Forbidden', /state/],
  ['GET', '/github/installations/callback?installation_id=1', undefined, 403, 'Forbidden', /state/],
];

describe('bad input to git deploys', () => {
  test.each(cases)('%s %s (case %#)', async (method, path, body, status, type, matches) => {
    const before = await snapshot(berth);
    const res = await berth.api(method, path, body);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(status);
    expect(res.body.error.type).toBe(type);
    if (matches) expect(res.body.error.message).toMatch(matches);
    expect(await snapshot(berth)).toEqual(before);
  });

  test('the dry run names the matching rule and why the others did not match', async () => {
    await berth.api('POST', '/api/v1/apps/web/rules', { event: 'tag', pattern: 'v*', environment: 'prod' });
    const res = await berth.api('POST', '/api/v1/apps/web/rules/match', { event: 'tag', ref: 'refs/tags/v1.0.0' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: true, environment: 'prod', rule: { event: 'tag', pattern: 'v*', position: 1, description: 'tag v* → prod' } });
    expect(res.body.checks[0]).toMatchObject({ matched: false, reason: 'is for push events, not tag' });
    const rules = await berth.api('GET', '/api/v1/apps/web/rules');
    expect(rules.body.items.map((r: { position: number }) => r.position)).toEqual([0, 1]);
    expect((await berth.api('DELETE', `/api/v1/apps/web/rules/${rules.body.items[0].id}`)).status).toBe(204);
    expect((await berth.api('GET', '/api/v1/apps/web/rules')).body.items).toMatchObject([{ position: 0, pattern: 'v*' }]);
  });
});
