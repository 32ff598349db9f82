// An environment's app logs against the real Docker engine: both replicas' stdout and stderr,
// each line labelled with the container it came from; time ranges, tails and filters; a live
// stream; refusals that change nothing; who may read; a per-app log driver; and `berth logs`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { projects } from '../../db/schema/index.js';
import { eq } from 'drizzle-orm';
import { addMember, makeToken, makeUser } from '../support/accounts.js';
import { runCli, startCli } from '../support/berth-cli.js';
import { startCliBerth, type CliBerth } from '../support/cli-berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { removeImages } from '../support/images.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import type { TestBerth } from '../support/berth.js';

const image = 'berth-test/chatty:v1';
let cli: CliBerth;
let berth: TestBerth;
let fx: AppFixture;

interface Line {
  at: string;
  stream: string;
  replica: number | null;
  service: string | null;
  container: string;
  message: string;
}

beforeAll(async () => {
  execFileSync('/usr/bin/docker', ['build', '-q', '--label', 'berth-test=1', '-t', image, fileURLToPath(new URL('../fixtures/chatty', import.meta.url))], { stdio: 'pipe' });
  cli = await startCliBerth();
  berth = cli.berth;
  fx = await createImageApp(berth, { app: 'chatty', image, replicas: 2 });
  expect((await waitForDeployment(berth, await deploy(berth, fx))).status).toBe('succeeded');
  await new Promise((r) => setTimeout(r, 800)); // some lines from each replica
}, 120_000);

afterAll(async () => {
  await cli?.close();
  removeImages(image);
});

const logs = async (query: string, token?: string) => berth.api<{ items: Line[]; truncated: boolean }>('GET', `${fx.base}/logs${query}`, undefined, token);

test("both replicas' stdout and stderr, oldest first, each line labelled with its container", async () => {
  const { status, body } = await logs('?tail=400');
  expect(status).toBe(200);
  expect(new Set(body.items.map((l) => l.replica))).toEqual(new Set([0, 1]));
  expect(new Set(body.items.map((l) => l.stream))).toEqual(new Set(['stdout', 'stderr']));
  const containers = await berth.containers(fx.environmentId);
  for (const line of body.items.filter((l) => l.stream === 'stdout')) {
    // The app writes its own hostname (the container's short id): the label is the right one.
    expect(line.message).toMatch(new RegExp(`^tick \\d+ host=${line.container}$`));
    expect(containers.find((c) => c.Id.startsWith(line.container))?.Labels['berth.replica']).toBe(String(line.replica));
  }
  for (const line of body.items.filter((l) => l.stream === 'stderr')) expect(line.message).toMatch(/^warn \d+$/);
  const times = body.items.map((l) => l.at);
  expect(times).toEqual([...times].sort());
});

test('tail, replica, text and regular-expression filters', async () => {
  const tail = (await logs('?tail=7')).body;
  expect(tail.items).toHaveLength(7);
  expect(tail.truncated).toBe(true);
  const one = (await logs('?replica=1&tail=50')).body.items;
  expect(one.length).toBeGreaterThan(0);
  expect(one.every((l) => l.replica === 1)).toBe(true);
  const warned = (await logs('?contains=WARN&tail=50')).body.items;
  expect(warned.length).toBeGreaterThan(0);
  expect(warned.every((l) => l.stream === 'stderr')).toBe(true);
  const fives = (await logs(`?match=${encodeURIComponent('^tick \\d*[05] ')}&tail=50`)).body.items;
  expect(fives.length).toBeGreaterThan(0);
  expect(fives.every((l) => /^tick \d*[05] /.test(l.message))).toBe(true);
});

test('a time range: since and until, absolute or relative', async () => {
  const all = (await logs('?tail=1000')).body.items;
  const middle = all[Math.floor(all.length / 2)]?.at as string;
  const after = (await logs(`?since=${encodeURIComponent(middle)}&tail=1000`)).body.items;
  expect(after.length).toBeGreaterThan(0);
  expect(after.every((l) => Date.parse(l.at) >= Date.parse(middle) - 1)).toBe(true);
  const before = (await logs(`?until=${encodeURIComponent(middle)}&tail=1000`)).body.items;
  expect(before.length).toBeGreaterThan(0);
  expect(before.every((l) => Date.parse(l.at) <= Date.parse(middle))).toBe(true);
  expect((await logs('?since=1s&tail=1000')).body.items.length).toBeLessThan(all.length);
});

test('bad queries are refused with 400 and say why', async () => {
  for (const [query, field] of [
    ['?match=(a%2B)%2B', 'match'],
    ['?match=%5B', 'match'],
    [`?match=${'a'.repeat(201)}`, 'match'],
    ['?tail=0', 'tail'],
    ['?tail=5001', 'tail'],
    ['?since=yesterday', 'since'],
    ['?replica=x', 'replica'],
    ['?lines=5', '(body)'],
  ] as const) {
    const res = await logs(query);
    expect(res.status, query).toBe(400);
    expect(JSON.stringify(res.body), query).toContain(field === '(body)' ? 'lines' : field);
  }
  const reversed = await logs('?since=1m&until=2m');
  expect(reversed.status).toBe(400);
  expect((await berth.api('GET', '/api/v1/apps/chatty/environments/nope/logs')).status).toBe(404);
});

test('project members with read access may read the logs; others may not', async () => {
  const [project] = await berth.database.db.select().from(projects).where(eq(projects.name, 'p-chatty'));
  const viewer = await makeUser(berth.database.db);
  await addMember(berth.database.db, project?.id as string, viewer.id, 'viewer');
  expect((await logs('?tail=5', await makeToken(berth.database.db, viewer.id))).status).toBe(200);
  const stranger = await makeUser(berth.database.db);
  expect((await logs('?tail=5', await makeToken(berth.database.db, stranger.id))).status).toBe(403);
  expect((await logs('?tail=5', null as unknown as string)).status).toBe(401);
});

test('the live stream: the backlog, then new lines as they are written, filtered', async () => {
  // The stream does not mark where its backlog ends, and the app writes a line every 100 ms, so
  // lines are told apart by when they were written: before the request was sent they can only
  // be in the backlog (the last `tail`, read when the request arrives); after the response came,
  // only live. A tail of 5 gives the server 500 ms to read it before no earlier line is left in it.
  const sentAt = Date.now();
  const res = await berth.request(`${fx.base}/logs/stream?tail=5&replica=0&match=${encodeURIComponent('^tick')}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const lines = () => [...text.matchAll(/^event: line\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1] as string) as Line);
  const openedAt = Date.now();
  const later = (l: Line) => Date.parse(l.at) > openedAt;
  while (lines().filter(later).length < 5) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  const seen = lines();
  const before = seen.filter((l) => Date.parse(l.at) < sentAt).length;
  expect(before).toBeGreaterThanOrEqual(1); // the backlog came
  expect(before).toBeLessThanOrEqual(5); // and no more of it than asked
  expect(seen.every((l) => l.replica === 0 && /^tick \d+/.test(l.message))).toBe(true);
  // In order, none repeated or skipped between the backlog and the live lines.
  const numbers = seen.map((l) => Number(/^tick (\d+)/.exec(l.message)?.[1]));
  expect(numbers[0]).toBeGreaterThan(0); // earlier lines were left out
  expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => (numbers[0] ?? 0) + i));
});

describe('the log driver setting', () => {
  test('is validated, and bad settings change nothing', async () => {
    const base = { project: 'p-chatty', image, port: 8080 };
    for (const [logDriver, field] of [
      [{ type: 'bogus' }, 'logDriver.type'],
      [{ type: 'splunk', options: { 'splunk-token': 'x' } }, 'splunk-token'],
      [{ type: 'syslog', options: { 'Bad Key': 'x' } }, 'logDriver.options'],
      [{ type: 'json-file', extra: 1 }, 'logDriver'],
    ] as const) {
      const res = await berth.api('POST', '/api/v1/apps', { ...base, name: 'logged-bad', logDriver });
      expect(res.status, JSON.stringify(logDriver)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    expect((await berth.api('GET', '/api/v1/apps/logged-bad')).status).toBe(404);
    const patch = await berth.api('PATCH', '/api/v1/apps/chatty', { logDriver: { type: 'nope' } });
    expect(patch.status).toBe(400);
    expect((await berth.api('GET', '/api/v1/apps/chatty')).body.logDriver).toBeNull();
  });

  test("is given to the containers, and their logs are still read", async () => {
    expect((await berth.api('PATCH', '/api/v1/apps/chatty', { logDriver: { type: 'local', options: { 'max-size': '5m' } } })).status).toBe(200);
    expect((await berth.api('GET', '/api/v1/apps/chatty')).body.logDriver).toEqual({ type: 'local', options: { 'max-size': '5m' } });
    expect((await waitForDeployment(berth, await deploy(berth, fx))).status).toBe('succeeded');
    const running = (await berth.containers(fx.environmentId)).filter((c) => c.State === 'running');
    expect(running).toHaveLength(2);
    for (const c of running) {
      const config = (await berth.docker.getContainer(c.Id).inspect()).HostConfig.LogConfig;
      expect(config).toEqual({ Type: 'local', Config: { 'max-size': '5m' } });
    }
    const lines = await waitFor('lines from the new containers', async () => {
      // The new containers may not have written 20 lines yet: wait until they have.
      const items = (await logs('?tail=20')).body.items;
      return items.length === 20 && items.every((l) => running.some((c) => c.Id.startsWith(l.container))) ? items : undefined;
    });
    expect(lines.length).toBe(20);
  });
});

describe('berth logs APP/ENV', () => {
  test('prints the lines matching --grep, one replica', async () => {
    const res = await runCli(['logs', 'chatty/prod', '--grep', '^warn \\d+$', '--replica', '1', '--tail', '5'], { env: cli.env });
    expect(res.code, res.stderr).toBe(0);
    const printed = res.stdout.trim().split('\n');
    expect(printed).toHaveLength(5);
    for (const line of printed) expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z ! warn \d+$/);
  });

  test('-o json, and a bad pattern exits with the refusal code', async () => {
    const res = await runCli(['logs', 'chatty/prod', '--tail', '3', '-o', 'json'], { env: cli.env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim().split('\n').map((l) => Object.keys(JSON.parse(l)).sort())).toEqual(Array(3).fill(['at', 'container', 'message', 'replica', 'service', 'stream']));
    const bad = await runCli(['logs', 'chatty/prod', '--grep', '(a+)+'], { env: cli.env });
    expect(bad.code).toBe(7);
    expect(bad.stderr).toContain('a repeated group that itself repeats');
    const misuse = await runCli(['logs', 'dep_0123456789abcdef', '--grep', 'x'], { env: cli.env });
    expect(misuse.code).toBe(64);
  });

  test('--follow prints new lines until interrupted', async () => {
    const run = startCli(['logs', 'chatty/prod', '--follow', '--contains', 'tick', '--tail', '1'], { env: cli.env });
    await waitFor('a few live lines', async () => run.stdout().split('\n').filter(Boolean).length >= 6, 20_000);
    run.child.kill('SIGINT');
    const res = await run.done;
    expect(res.stdout.split('\n').filter(Boolean).every((l) => / #[01] tick \d+ host=/.test(l))).toBe(true);
  });
});
