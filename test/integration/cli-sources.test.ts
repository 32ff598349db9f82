// The real `berth` process with each kind of source and a flaky connection: a static site's
// directory and a stack's compose file deploy and answer through Traefik; `logs -f` resumes
// after the API restarts mid-stream, with no line lost or repeated; rules test; cancel; a bad
// ref refused with nothing changed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestBerth } from '../support/berth.js';
import { runCli, startCli } from '../support/berth-cli.js';
import { startCliBerth, type CliBerth } from '../support/cli-berth.js';
import { createImageApp } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { snapshot } from '../support/snapshot.js';
import { createStackApp } from '../support/stack-fixtures.js';
import { createStaticApp } from '../support/static-sites.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = { web1: 'berth-test/cli-stack:1', web2: 'berth-test/cli-stack:2', slow: 'berth-test/cli-src:slow' };
let cli: CliBerth;
let berth: TestBerth;
let auth: Record<string, string>;
const site = mkdtempSync(join(tmpdir(), 'berth-cli-site-'));

beforeAll(async () => {
  buildHello(tags.web1, { version: 'w1' });
  buildHello(tags.web2, { version: 'w2' });
  buildHello(tags.slow, { version: 'slow', startDelay: 8 });
  cli = await startCliBerth({ staticServer: true });
  ({ berth, env: auth } = cli);
});

afterAll(async () => {
  await cli?.close();
  rmSync(site, { recursive: true, force: true });
  removeImages(...Object.values(tags));
});

test('a static directory is packed, uploaded and live', async () => {
  const fx = await createStaticApp(berth, { app: 'clisite' });
  writeFileSync(join(site, 'index.html'), '<h1>from the cli</h1>\n');
  writeFileSync(join(site, 'about.html'), 'about\n');
  const res = await runCli(['deploy', 'clisite', 'prod', '--dir', site], { env: auth });
  expect(res.code, res.stderr).toBe(0);
  expect(res.stderr).toMatch(/^switch: succeeded in/m);
  expect((await throughTraefik(fx.host)).body).toContain('from the cli');
  expect((await throughTraefik(fx.host, '/about.html')).body.trim()).toBe('about');
});

test('a compose file is uploaded and the stack rolls out, a line per service', async () => {
  const compose = (image: string) => `services:\n  web:\n    image: ${image}\n    x-berth: { port: 8080, path: /healthz }\n`;
  const fx = await createStackApp(berth, { app: 'clistack', compose: compose(tags.web1) });
  const file = join(site, 'compose.yaml');
  writeFileSync(file, compose(tags.web2));
  const res = await runCli(['deploy', 'clistack', 'prod', '--compose', file], { env: auth });
  expect(res.code, res.stderr).toBe(0);
  expect(res.stderr).toMatch(/^web\/health: succeeded in/m);
  expect(res.stderr).toMatch(/^rollout: succeeded in/m);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('w2');
  expect((await berth.api('GET', '/api/v1/apps/clistack/compose')).body.compose).toBe(compose(tags.web2));
});

describe('an image app', () => {
  beforeAll(async () => {
    // The slow image listens after 8 s (the start period covers it): long enough for a CLI started on a loaded machine (≈5 s) to act while it runs.
    await createImageApp(berth, { app: 'clifollow', image: tags.slow, healthCheck: { intervalMs: 100, startPeriodMs: 15000, failureThreshold: 3 } });
  });

  test('logs -f resumes after the API restarts mid-stream: every line once, in order, then the end', async () => {
    const accepted = await berth.api('POST', '/api/v1/apps/clifollow/environments/prod/deployments', {});
    const id = accepted.body.deploymentId as string;
    const follow = startCli(['logs', '-f', id], { env: auth });
    await waitFor('a first log line', async () => follow.stdout().length > 0);
    await cli.stopApi();
    const cutAt = follow.stdout().trim().split('\n').length;
    await new Promise((r) => setTimeout(r, 1000));
    await cli.startApi();
    const res = await follow.done;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/connection lost .*; reconnecting/);
    expect(res.stderr).toMatch(/reconnected; resuming after the last line shown/);
    expect(res.stderr).toContain(`deployment ${id} succeeded`);
    const all = (await berth.api('GET', `/api/v1/deployments/${id}/logs`)).body.items as { at: string; message: string }[];
    const printed = res.stdout.trim().split('\n');
    expect(printed).toHaveLength(all.length);
    printed.forEach((line, i) => expect(line).toContain(all[i]?.message));
    console.log(`logs -f: ${cutAt} of ${all.length} lines before the API restart, the rest after it`);
  });

  test('cancel stops a running deployment; cancelling a finished one is refused', async () => {
    const watched = startCli(['deploy', 'clifollow', 'prod', '--image', tags.slow], { env: auth });
    const id = await waitFor('the deployment id', async () => watched.stdout().trim() || undefined);
    await waitFor('it to run', async () => (await berth.api('GET', `/api/v1/deployments/${id}`)).body.status === 'running');
    const cancel = await runCli(['cancel', id], { env: auth });
    expect(cancel.code, cancel.stderr).toBe(0);
    const res = await watched.done;
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`⊘ ${id} cancelled`));
    const again = await runCli(['cancel', id], { env: auth });
    expect(again.code).toBe(7);
    expect(again.stderr).toMatch(/already cancelled/);
    expect((await waitForDeployment(berth, id)).status).toBe('cancelled');
  });
});

describe('an app built from git', () => {
  beforeAll(async () => {
    expect((await berth.api('POST', '/api/v1/projects', { name: 'p-cligit' })).status).toBe(201);
    expect((await berth.api('POST', '/api/v1/apps', { project: 'p-cligit', name: 'cligit', kind: 'git', git: { url: 'file:///nonexistent/repo' } })).status).toBe(201);
    for (const name of ['prod', 'staging']) expect((await berth.api('POST', '/api/v1/apps/cligit/environments', { name })).status).toBe(201);
    const rules = await berth.api('PUT', '/api/v1/apps/cligit/rules', { rules: [{ event: 'push', pattern: 'main', environment: 'prod' }, { event: 'push', pattern: 'release/**', environment: 'staging' }] });
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);
  });

  test('rules test: the matching rule and why the others did not; exit 1 when none matches', async () => {
    const hit = await runCli(['rules', 'test', 'cligit', 'release/2.0'], { env: auth });
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.stderr).toMatch(/release\/2\.0 matches rule 2 .*: deploys to staging/);
    expect(hit.stdout.trim().split('\n')).toHaveLength(2);
    const miss = await runCli(['rules', 'test', 'cligit', 'feature/x', '-o', 'json'], { env: auth });
    expect(miss.code).toBe(1);
    expect(JSON.parse(miss.stdout)).toMatchObject({ matched: false, environment: null });
  });

  test('a bad ref is refused naming the field, and nothing changes', async () => {
    const before = await snapshot(berth);
    const res = await runCli(['deploy', 'cligit', 'prod', '--ref', 'main..evil'], { env: auth });
    expect(res.code).toBe(7);
    expect(res.stderr).toMatch(/ref: a branch or tag name/);
    expect(res.stdout).toBe('');
    expect(await snapshot(berth)).toEqual(before);
  });
});
