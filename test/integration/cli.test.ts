// The real `berth` process against a real Berth (API server on its own port, workers, Docker,
// Temporal, Traefik, PostgreSQL): login and contexts, deploy that waits and exits by outcome,
// NDJSON, rollback, releases, variables, logs, and bad input that changes nothing.
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eq } from 'drizzle-orm';
import { environmentVariables } from '../../db/schema/index.js';
import { IMAGE_PHASES } from '../../src/domain/phases.js';
import type { ApiServer } from '../../src/process/api-server.js';
import type { TestBerth } from '../support/berth.js';
import { runCli, startCli } from '../support/berth-cli.js';
import { startCliBerth, type CliBerth } from '../support/cli-berth.js';
import { createImageApp, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { snapshot } from '../support/snapshot.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import type { Json } from '../support/json.js';

const tags = { v1: 'berth-test/cli:v1', v2: 'berth-test/cli:v2', bad: 'berth-test/cli:bad', slow: 'berth-test/cli:slow' };
let cli: CliBerth;
let berth: TestBerth;
let server: ApiServer;
let fx: AppFixture;
let auth: Record<string, string>;
let home: CliBerth['home'];

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  buildHello(tags.bad, { version: 'bad', healthy: false });
  buildHello(tags.slow, { version: 'slow', startDelay: 3 });
  cli = await startCliBerth();
  ({ berth, home, env: auth } = cli);
  server = cli.server();
  // The start period covers the slow image (listening after 3 s), so it holds the lane that long.
  fx = await createImageApp(berth, { app: 'clidemo', image: tags.v1, healthCheck: { intervalMs: 100, startPeriodMs: 5000, failureThreshold: 3 } });
});

afterAll(async () => {
  await cli?.close();
  removeImages(...Object.values(tags));
});

const body = async () => (await throughTraefik(fx.host)).body.trim();
/** A snapshot once Berth is quiet (no workflow a previous test set off still starting). */
const quietSnapshot = () =>
  waitFor('a quiet Berth', async () => {
    const first = await snapshot(berth);
    await new Promise((r) => setTimeout(r, 500));
    const second = await snapshot(berth);
    return JSON.stringify(first) === JSON.stringify(second) ? second : undefined;
  });
const ndjson = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Json);

describe('signing in', () => {
  test('no token: a clear message, exit 4; a wrong token: Berth’s reason, exit 4', async () => {
    const none = await runCli(['apps'], { env: home.env });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/not logged in: run `berth login URL`/);
    expect(none.stdout).toBe('');
    const wrong = await runCli(['apps'], { env: { ...home.env, BERTH_URL: server.url, BERTH_TOKEN: 'berth_pat_nope' } });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/not a Berth API token|unknown API token/);
  });

  test('login checks the token and saves a context (mode 0600); whoami and context list read it', async () => {
    const bad = await runCli(['login', server.url, '--token-stdin'], { env: home.env, input: 'berth_pat_wrong' });
    expect(bad.code).toBe(4);
    const login = await runCli(['login', server.url, '--token-stdin', '--name', 'test'], { env: home.env, input: `${berth.token}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain(`as ${berth.admin.email}`);
    const file = `${home.env.XDG_CONFIG_HOME}/berth/config.json`;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8')).current).toBe('test');

    const who = await runCli(['whoami'], { env: home.env });
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toContain(berth.admin.email);
    expect(who.stdout).toContain('(context test)');
    const json = await runCli(['whoami', '-o', 'json'], { env: home.env });
    expect(JSON.parse(json.stdout)).toMatchObject({ user: { email: berth.admin.email }, scope: 'admin', context: 'test', url: server.url });
    const list = await runCli(['context', 'list'], { env: home.env });
    expect(list.stdout.trim()).toBe(`*\ttest\t${server.url}\t${berth.admin.email}`);
    // Piped: prompting is not possible, so login says how to pass the token.
    const piped = await runCli(['login', server.url], { env: home.env });
    expect(piped.code).toBe(64);
    expect(piped.stderr).toMatch(/--token-stdin/);
  });
});

describe('deploying', () => {
  test('deploy waits, shows each phase, and exits 0 once the new version answers through Traefik', async () => {
    const started = Date.now();
    const run = startCli(['deploy', 'clidemo', 'prod', '--image', tags.v1], { env: auth });
    const printedAt = await waitFor('the deployment id', async () => (run.stdout().trim() ? Date.now() : undefined), 30_000, 5);
    const res = await run.done;
    const exitedAt = Date.now();
    expect(res.code, res.stderr).toBe(0);
    const id = res.stdout.trim();
    expect(id).toMatch(/^dep_/);
    expect(await body()).toBe('v1');
    for (const phase of IMAGE_PHASES) expect(res.stderr).toMatch(new RegExp(`^${phase}: succeeded in [\\d.]+s`, 'm'));
    expect(res.stderr).toMatch(new RegExp(`✓ ${id} succeeded in [\\d.]+s: live at http://clidemo\\.prod\\.`));
    const d = await berth.api('GET', `/api/v1/deployments/${id}`);
    const ownMs = Date.parse(d.body.finishedAt) - Date.parse(d.body.createdAt);
    // What the CLI adds around the deployment's own time: starting and asking before it, the event stream's poll and the last read after it.
    console.log(
      `berth deploy: spawn to id printed ${printedAt - started} ms; deployment created to finished ${ownMs} ms; finished to exit ${exitedAt - Date.parse(d.body.finishedAt)} ms; spawn to exit ${res.ms} ms`,
    );
  });

  test('--output json is NDJSON: accepted, one event per phase, end with the exit code', async () => {
    const res = await runCli(['deploy', 'clidemo', 'prod', '--image', tags.v2, '-o', 'json'], { env: auth });
    expect(res.code, res.stderr).toBe(0);
    const events = ndjson(res.stdout);
    expect(events[0]).toMatchObject({ event: 'accepted', deploymentId: expect.stringMatching(/^dep_/) });
    const phases = events.filter((e) => e.event === 'phase');
    expect(phases.map((p) => p.phase)).toEqual([...IMAGE_PHASES]);
    for (const p of phases) {
      expect(p.outcome).toBe('succeeded');
      expect(p.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(events.at(-1)).toMatchObject({ event: 'end', status: 'succeeded', exitCode: 0, deploymentId: events[0]?.deploymentId });
    expect(await body()).toBe('v2');
  });

  test('an unhealthy image exits 1 naming the health phase; the live release keeps serving', async () => {
    const res = await runCli(['deploy', 'clidemo', 'prod', '--image', tags.bad], { env: auth });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^health: failed in [\d.]+s: .*HTTP 404/m);
    expect(res.stderr).toMatch(/✗ dep_\w+ failed in phase health in [\d.]+s: /);
    expect(await body()).toBe('v2');
    const json = await runCli(['deploy', 'clidemo', 'prod', '--image', tags.bad, '-o', 'json'], { env: auth });
    expect(json.code).toBe(1);
    expect(ndjson(json.stdout).at(-1)).toMatchObject({ event: 'end', status: 'failed', failedPhase: 'health', exitCode: 1 });
  });

  test('a superseded deploy exits 3', async () => {
    // The slow image holds the lane; the watched deploy queues behind it and a newer one replaces it (latest wins).
    const first = await berth.api('POST', `${fx.base}/deployments`, { image: tags.slow });
    expect(first.status).toBe(202);
    const watched = startCli(['deploy', 'clidemo', 'prod', '--image', tags.v1], { env: auth });
    const id = await waitFor('the watched deployment id', async () => watched.stdout().trim() || undefined);
    const newer = await berth.api('POST', `${fx.base}/deployments`, { image: tags.v2 });
    expect(newer.status).toBe(202);
    const res = await watched.done;
    expect(res.code, res.stderr).toBe(3);
    expect(res.stderr).toContain(`⊘ ${id} superseded by ${newer.body.deploymentId}`);
    expect((await waitForDeployment(berth, newer.body.deploymentId)).status).toBe('succeeded');
    expect(await body()).toBe('v2');
  });

  test('--detach returns at once with the id; logs prints its log, logs -f follows it to the end', async () => {
    const res = await runCli(['deploy', 'clidemo', 'prod', '--image', tags.v1, '--detach'], { env: auth });
    expect(res.code, res.stderr).toBe(0);
    const id = res.stdout.trim();
    const follow = await runCli(['logs', '-f', id], { env: auth });
    expect(follow.code, follow.stderr).toBe(0);
    expect(follow.stderr).toContain(`deployment ${id} succeeded`);
    const all = await runCli(['logs', id, '-o', 'json'], { env: auth });
    const lines = ndjson(all.stdout);
    expect(lines.length).toBeGreaterThan(0);
    expect(follow.stdout.trim().split('\n')).toHaveLength(lines.length);
    expect(await body()).toBe('v1');
  });

  test('deploy --var and --secret-var: this deploy’s own variables, the secret one from stdin, both in the container', async () => {
    const secretValue = `cli-deploy-secret-${Date.now()}`;
    const deployed = await runCli(['deploy', 'clidemo', 'prod', '--image', tags.v1, '--var', 'LOG_LEVEL=trace', '--secret-var', 'API_TOKEN=-'], { env: auth, input: `${secretValue}\n` });
    expect(deployed.code, deployed.stderr).toBe(0);
    const id = deployed.stdout.trim().split('\n')[0] as string;
    const [container] = (await berth.containers(fx.environmentId)).filter((c) => c.Labels['berth.deployment'] === id);
    const env = (await berth.docker.getContainer(container?.Id as string).inspect()).Config.Env;
    expect(env).toEqual(expect.arrayContaining(['LOG_LEVEL=trace', `API_TOKEN=${secretValue}`]));
    expect(deployed.stdout + deployed.stderr).not.toContain(secretValue);
    expect((await runCli(['deploy', 'clidemo', 'prod', '--dir', '.', '--var', 'A=1'], { env: auth })).code).toBe(64);
  });

  test('releases lists them; rollback --to a number waits and makes it live; status and open say so', async () => {
    const releases = await runCli(['releases', 'clidemo', 'prod', '-o', 'json'], { env: auth });
    const items = JSON.parse(releases.stdout) as { number: number; live: boolean; imageRef: string }[];
    const v2 = items.find((r) => r.imageRef === tags.v2 && !r.live);
    expect(v2).toBeDefined();
    const table = await runCli(['releases', 'clidemo', 'prod'], { env: auth });
    expect(table.stdout.split('\n')[0]).toMatch(/^\d+\tlive\tberth-test\/cli:v1\t/);
    const back = await runCli(['rollback', 'clidemo', 'prod', '--to', String(v2?.number)], { env: auth });
    expect(back.code, back.stderr).toBe(0);
    expect(await body()).toBe('v2');
    const status = await runCli(['status', 'clidemo/prod'], { env: auth });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`release #${v2?.number}  ${tags.v2}`);
    expect(status.stdout).toMatch(/^health +passed/m);
    expect(status.stdout).toMatch(new RegExp(`^host +${berth.config.hostId}$`, 'm'));
    const open = await runCli(['open', 'clidemo', 'prod'], { env: auth });
    expect(open.stdout.trim()).toBe(`http://${fx.host}:${berth.config.traefik.port}`);
    const temporal = await runCli(['open', 'clidemo', 'prod', '--temporal'], { env: auth });
    expect(temporal.stdout.trim()).toMatch(/^http:\/\/.*\/workflows\/deploy-dep_/);
  });

  test('vars set, get and unset keep the other variables, secret ones included', async () => {
    expect((await runCli(['vars', 'set', 'clidemo', 'prod', 'TOKEN=-', '--secret'], { env: auth, input: 's3cret\n' })).code).toBe(0);
    const set = await runCli(['vars', 'set', 'clidemo', 'prod', 'LOG_LEVEL=debug', 'WORKERS=4'], { env: auth });
    expect(set.code, set.stderr).toBe(0);
    const get = await runCli(['vars', 'get', 'clidemo', 'prod'], { env: auth });
    expect(get.stdout.trim().split('\n')).toEqual(['LOG_LEVEL\tdebug', 'TOKEN\t(secret)', 'WORKERS\t4']);
    expect((await runCli(['vars', 'get', 'clidemo', 'prod', 'WORKERS'], { env: auth })).stdout).toBe('4\n');
    const secret = await runCli(['vars', 'get', 'clidemo', 'prod', 'TOKEN'], { env: auth });
    expect(secret.code).toBe(5);
    expect(secret.stdout).toBe('');
    const before = await snapshot(berth);
    const missing = await runCli(['vars', 'unset', 'clidemo', 'prod', 'WORKERS', 'NOPE'], { env: auth });
    expect(missing.code).toBe(6);
    expect(missing.stderr).toMatch(/variable NOPE/);
    expect(await snapshot(berth)).toEqual(before);
    expect((await runCli(['vars', 'unset', 'clidemo', 'prod', 'WORKERS'], { env: auth })).code).toBe(0);
    const after = await berth.api('GET', `${fx.base}/variables`);
    expect(after.body).toEqual({ variables: { LOG_LEVEL: 'debug' }, secret: ['TOKEN'] });

    // What the next deploy gets, with where each value comes from; a reference that does not resolve exits 7.
    const effective = await runCli(['vars', 'effective', 'clidemo', 'prod'], { env: auth });
    expect(effective.code, effective.stderr).toBe(0);
    expect(effective.stdout.trim().split('\n')).toEqual(['LOG_LEVEL\tdebug\tenvironment prod', 'TOKEN\t(secret)\tenvironment prod']);
    await berth.database.db.insert(environmentVariables).values({ environmentId: fx.environmentId, key: 'BROKEN', value: '${{ project.NOPE }}' });
    const broken = await runCli(['vars', 'effective', 'clidemo', 'prod'], { env: auth });
    expect(broken.code).toBe(7);
    expect(broken.stderr).toMatch(/BROKEN: \$\{\{ project\.NOPE \}\} is not set/);
    await berth.database.db.delete(environmentVariables).where(eq(environmentVariables.key, 'BROKEN'));
  });
});

describe('bad input is a clear message, a non-zero exit, and changes nothing', () => {
  test.each([
    ['an unknown app', ['deploy', 'nope', 'prod', '--image', tags.v1], 6, /app nope/],
    ['an unknown environment', ['deploy', 'clidemo', 'nowhere'], 6, /environment nowhere of app clidemo/],
    ['a ref for an image app', ['deploy', 'clidemo', 'prod', '--ref', 'main'], 7, /ref and sha are for apps built from a repository/],
    ['a bad image reference', ['deploy', 'clidemo', 'prod', '--image', 'Not An Image'], 7, /image: not a valid image reference/],
    ['two sources', ['deploy', 'clidemo', 'prod', '--image', tags.v1, '--ref', 'main'], 64, /give one of --image, --ref/],
    ['a missing directory', ['deploy', 'clidemo', 'prod', '--dir', '/nonexistent/site'], 64, /not a directory/],
    ['a missing compose file', ['deploy', 'clidemo', 'prod', '--compose', '/nonexistent/compose.yaml'], 64, /no such file/],
    ['an unknown release', ['rollback', 'clidemo', 'prod', '--to', '999'], 6, /has no release 999/],
    ['an unknown option', ['deploy', 'clidemo', 'prod', '--imgae', 'x'], 64, /unknown option '--imgae'/],
    ['no token', ['deploy', 'clidemo', 'prod'], 4, /not logged in/],
  ])('%s', async (_, args, code, message) => {
    const before = await quietSnapshot();
    const env = args.includes('--imgae') || code !== 4 ? auth : { ...home.env, XDG_CONFIG_HOME: `${home.dir}/empty` };
    const res = await runCli(args as string[], { env });
    expect(res.code, res.stderr).toBe(code);
    expect(res.stderr).toMatch(message);
    expect(res.stdout).toBe('');
    expect(await snapshot(berth)).toEqual(before);
  });
});

test('every command has --help with examples', async () => {
  for (const command of [['login'], ['logout'], ['whoami'], ['context', 'list'], ['apps'], ['envs'], ['status'], ['open'], ['deploy'], ['rollback'], ['logs'], ['cancel'], ['releases'], ['rules', 'test'], ['vars', 'get'], ['vars', 'set'], ['vars', 'unset'], ['vars', 'effective'], ['completion'], ['canary', 'status'], ['canary', 'promote'], ['canary', 'pause'], ['canary', 'resume'], ['canary', 'abort']]) {
    const res = await runCli([...command, '--help']);
    expect(res.code, command.join(' ')).toBe(0);
    expect(res.stdout, command.join(' ')).toMatch(/Examples:\n {2}\$ \S/);
  }
});

test('berth move, berth hosts drain, join-swarm, leave-swarm and berth spread have --help with examples; an unknown host is 404 (exit 6)', async () => {
  for (const command of [['move'], ['hosts', 'drain'], ['hosts', 'join-swarm'], ['hosts', 'leave-swarm'], ['spread']]) {
    const res = await runCli([...command, '--help']);
    expect(res.code, command.join(' ')).toBe(0);
    expect(res.stdout, command.join(' ')).toMatch(/Examples:\n {2}\$ \S/);
  }
  for (const command of [['hosts', 'join-swarm', 'nowhere'], ['hosts', 'leave-swarm', 'nowhere']]) {
    const res = await runCli(command, { env: auth });
    expect(res.code, `${command.join(' ')}: ${res.stderr}`).toBe(6);
  }
});

test('berth spread shows, sets and clears a spread; bad options and refused spreads change nothing', async () => {
  const made = await berth.api('POST', '/api/v1/apps/clidemo/environments', { name: 'spreadcli', drainSeconds: 0 });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const spreadOf = async () => (await berth.api('GET', '/api/v1/apps/clidemo/environments/spreadcli')).body.spread as Json;
  const shown = await runCli(['spread', 'clidemo', 'spreadcli'], { env: auth });
  expect(shown.code, shown.stderr).toBe(0);
  expect(shown.stdout).toContain('not spread');

  // The installation's own host is the one alive here: a spread over it alone is accepted.
  const set = await runCli(['spread', 'clidemo', 'spreadcli', '--count', '1', '--hosts', berth.config.hostId, '--output', 'json'], { env: auth });
  expect(set.code, set.stderr).toBe(0);
  expect(JSON.parse(set.stdout)).toEqual({ app: 'clidemo', environment: 'spreadcli', spread: { count: 1, hosts: [berth.config.hostId] } });
  expect(await spreadOf()).toEqual({ count: 1, hosts: [berth.config.hostId] });

  // Refused by Berth (more hosts than are alive; a host it does not know): exit 7, nothing changed.
  for (const args of [['--count', '2'], ['--count', '1', '--hosts', 'nowhere']]) {
    const refused = await runCli(['spread', 'clidemo', 'spreadcli', ...args], { env: auth });
    expect(refused.code, args.join(' ')).toBe(7);
    expect(refused.stderr, args.join(' ')).toMatch(/host/i);
  }
  // Refused before any request (usage, exit 64).
  for (const args of [['--count', 'two'], ['--off', '--count', '1']]) {
    const usage = await runCli(['spread', 'clidemo', 'spreadcli', ...args], { env: auth });
    expect(usage.code, args.join(' ')).toBe(64);
  }
  expect(await spreadOf()).toEqual({ count: 1, hosts: [berth.config.hostId] });

  const off = await runCli(['spread', 'clidemo', 'spreadcli', '--off'], { env: auth });
  expect(off.code, off.stderr).toBe(0);
  expect(off.stdout).toContain('not spread');
  expect(await spreadOf()).toBeNull();
});

test('completions for bash, zsh and fish name the commands', async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const res = await runCli(['completion', shell]);
    expect(res.code).toBe(0);
    for (const word of ['deploy', 'rollback', 'logs', 'detach', 'status']) expect(res.stdout, shell).toContain(word);
  }
  expect((await runCli(['completion', 'tcsh'])).code).toBe(64);
});
