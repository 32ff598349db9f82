// Bad input about stacks whose compose file comes from their git repository: where git settings
// may go, uploaded or repository (never both, never neither), settings a stack would ignore,
// deploying with an image or a commit where it does not belong, the dry run that needs a commit.
// Each is a 4xx in the one error shape that changes nothing; what is allowed is shown back.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { ok as call } from '../support/github-berth.js';
import { snapshot } from '../support/snapshot.js';

const COMPOSE = 'services:\n  web:\n    image: berth-local/hello:v1\n    x-berth: { port: 8080 }\n';
let berth: TestBerth;

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  const ok = (method: string, path: string, body: unknown) => call(berth, method, path, body);
  await ok('POST', '/api/v1/projects', { name: 'shop' });
  await ok('POST', '/api/v1/apps', { project: 'shop', name: 'gs', kind: 'stack', git: { url: 'file:///srv/shop' } });
  await ok('POST', '/api/v1/apps', { project: 'shop', name: 'up', kind: 'stack', compose: COMPOSE });
  await ok('POST', '/api/v1/apps', { project: 'shop', name: 'src', kind: 'git', git: { url: 'file:///srv/src' } });
  await ok('POST', '/api/v1/apps/gs/environments', { name: 'prod' });
  await ok('POST', '/api/v1/apps/up/environments', { name: 'prod' });
});

afterAll(async () => {
  await berth?.close();
});

type Case = [method: string, path: string, body: unknown, status: number, issuePath: string | null, matches: RegExp];

const cases: Case[] = [
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'stack' }, 400, 'compose', /compose: required for apps of kind stack: the compose file, or git settings/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'stack', compose: COMPOSE, git: { url: 'file:///r' } }, 400, 'compose', /not both/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'stack', git: {} }, 400, 'git', /repository .* or url/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'stack', git: { url: 'file:///r', dockerfile: 'Dockerfile' } }, 400, 'git.dockerfile', /not for stacks/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'stack', git: { url: 'file:///r', context: 'web' } }, 400, 'git.context', /not for stacks/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'stack', git: { url: 'file:///r', buildArgs: { A: '1' } } }, 400, 'git.buildArgs', /not for stacks/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'stack', git: { url: 'file:///r', composeFile: '../compose.yml' } }, 400, 'git.composeFile', /inside the repository/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'git', git: { url: 'file:///r', composeFile: 'compose.yml' } }, 400, 'git.composeFile', /only apps of kind stack/],
  ['POST', '/api/v1/apps', { project: 'shop', name: 'x', kind: 'static', git: { url: 'file:///r' } }, 400, 'git', /only apps of kind git or stack/],
  ['PATCH', '/api/v1/apps/up', { git: { url: 'file:///r' } }, 400, 'git', /uploaded/],
  ['PATCH', '/api/v1/apps/gs', { git: { context: 'web' } }, 400, 'git.context', /not for stacks/],
  ['PATCH', '/api/v1/apps/gs', { git: { url: null } }, 400, 'git', /repository or url/],
  ['PATCH', '/api/v1/apps/src', { git: { composeFile: 'compose.yml' } }, 400, 'git.composeFile', /only apps of kind stack/],
  ['PUT', '/api/v1/apps/gs/compose', { compose: COMPOSE }, 400, 'compose', /reads its compose file from its repository/],
  ['PUT', '/api/v1/apps/gs/environments/prod/compose-override', { compose: 'services: [' }, 400, 'override', /YAML/],
  ['POST', '/api/v1/apps/gs/environments/prod/deployments', { image: 'a:b' }, 400, 'image', /give ref or sha/],
  ['POST', '/api/v1/apps/gs/environments/prod/deployments', { sha: 'abc' }, 400, null, /sha/],
  ['POST', '/api/v1/apps/up/environments/prod/deployments', { ref: 'main' }, 400, 'ref', /ref and sha are for apps built from a repository/],
  ['POST', '/api/v1/apps/gs/environments/prod/stack/dry-run', undefined, 409, null, /a dry run needs a commit/],
];

const apps = async () => Promise.all(['gs', 'up', 'src'].map(async (name) => (await berth.api('GET', `/api/v1/apps/${name}`)).body));

describe('bad input about git-backed stacks', () => {
  test.each(cases)('%s %s (case %#)', async (method, path, body, status, issuePath, matches) => {
    const before = { rows: await snapshot(berth), apps: await apps() };
    const res = await berth.api(method, path, body);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(status);
    expect(res.body.error.message).toMatch(matches);
    if (issuePath) expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(issuePath);
    expect({ rows: await snapshot(berth), apps: await apps() }).toEqual(before);
  });

  test('a git-backed stack shows where its compose file is; only that can change', async () => {
    const shown = await berth.api('GET', '/api/v1/apps/gs');
    expect(shown.body.git).toMatchObject({ url: 'file:///srv/shop', composeFile: 'compose.yml' });
    expect((await berth.api('GET', '/api/v1/apps/up')).body).not.toHaveProperty('git');
    expect((await berth.api('GET', '/api/v1/apps/src')).body.git.composeFile).toBeNull();
    const patched = await berth.api('PATCH', '/api/v1/apps/gs', { git: { composeFile: 'deploy/compose.yaml' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.git).toMatchObject({ url: 'file:///srv/shop', composeFile: 'deploy/compose.yaml' });
    // An override that parses is kept; the deployment compiles it over the repository's file.
    const override = await berth.api('PUT', '/api/v1/apps/gs/environments/prod/compose-override', { compose: 'services:\n  web:\n    environment: { MODE: fast }\n' });
    expect(override.status, JSON.stringify(override.body)).toBe(200);
  });
});
