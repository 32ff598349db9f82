// `berth deploy` on a real terminal (tmux), read as a person sees it: the phases done so far
// with their durations and the running one with a spinner, redrawn in place; Ctrl-C asks
// whether to cancel the deployment or only stop watching, and does what was chosen. Off a
// terminal, Ctrl-C stops watching without asking.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createBerthClient } from '../../src/client/berth-client.js';
import { followDeployment } from '../../src/client/deployment-events.js';
import { IMAGE_PHASES } from '../../src/domain/phases.js';
import type { TestBerth } from '../support/berth.js';
import { startCli, stopAllCli } from '../support/berth-cli.js';
import { startCliBerth, type CliBerth } from '../support/cli-berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startTerminal, type Terminal } from '../support/tmux.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const BIN = new URL('../../scripts/berth', import.meta.url).pathname;
const tags = { v1: 'berth-test/cli-tty:v1', slow: 'berth-test/cli-tty:slow' };
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
let cli: CliBerth;
let berth: TestBerth;
let fx: AppFixture;
let env: Record<string, string>;
let terminal: Terminal | null = null;

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.slow, { version: 'slow', startDelay: 4 });
  cli = await startCliBerth();
  berth = cli.berth;
  fx = await createImageApp(berth, { app: 'clitty', image: tags.v1, healthCheck: { intervalMs: 100, startPeriodMs: 8000, failureThreshold: 3 } });
  env = { ...cli.env, TERM: 'xterm-256color', NO_COLOR: '1' };
});

afterEach(() => {
  terminal?.close();
  terminal = null;
  stopAllCli();
});

afterAll(async () => {
  await cli?.close();
  removeImages(...Object.values(tags));
});

const screenMatching = (what: string, pattern: RegExp, timeoutMs = 30_000) =>
  waitFor(what, async () => {
    const screen = terminal?.screen() ?? '';
    return pattern.test(screen) ? screen : undefined;
  }, timeoutMs, 50);

test('the live progress: finished phases with durations, the running one spinning, redrawn in place', async () => {
  terminal = startTerminal(env);
  terminal.run(`${BIN} deploy clitty prod --image ${tags.slow}`);
  // Mid-deploy, as a person sees it: resolve, create and start done; health spinning with its time so far.
  const live = await screenMatching('health running', new RegExp(`${SPINNER.source} health +\\d+\\.\\d+s`));
  for (const phase of ['queued', 'resolve', 'create', 'start']) expect(live).toMatch(new RegExp(`✓ ${phase} +\\d+\\.\\d+s`));
  expect(live).not.toMatch(/✓ health/);
  console.log(`what the terminal showed mid-deploy:\n${live.trimEnd()}`);
  const later = await screenMatching('health later', new RegExp(`${SPINNER.source} health +(\\d+\\.\\d+)s`));
  const seconds = (s: string) => Number(/ health +(\d+\.\d+)s/.exec(s)?.[1]);
  expect(seconds(later)).toBeGreaterThanOrEqual(seconds(live));

  const done = await screenMatching('the end', /EXIT=\d+/);
  expect(done).toMatch(/EXIT=0/);
  expect(done).toMatch(/✓ dep_\w+ succeeded in \d+\.\d+s: live at http:\/\/clitty\.prod\./);
  // Redrawn in place: every phase once on the final screen, each with its mark and duration.
  for (const phase of IMAGE_PHASES) {
    expect(done.match(new RegExp(`[✓✗–] ${phase} +\\d+\\.\\d+s`, 'g')), phase).toHaveLength(1);
  }
  expect(done).not.toMatch(SPINNER);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('slow');
});

test('Ctrl-C asks; c cancels the deployment, which is undone, and the exit says cancelled', async () => {
  terminal = startTerminal(env);
  terminal.run(`${BIN} deploy clitty prod --image ${tags.v1} --logs`);
  await screenMatching('v1 live', /EXIT=0/);
  terminal.close();
  terminal = startTerminal(env);
  terminal.run(`${BIN} deploy clitty prod --image ${tags.slow}`);
  await screenMatching('health running', new RegExp(`${SPINNER.source} health`));
  terminal.keys('C-c');
  const asked = await screenMatching('the question', /\[c\/d\/w\]/);
  expect(asked).toMatch(/c {2}cancel it/);
  expect(asked).toMatch(/d {2}stop watching/);
  terminal.keys('c');
  const done = await screenMatching('the end', /EXIT=\d+/);
  expect(done).toMatch(/cancel requested/);
  expect(done).toMatch(/⊘ dep_\w+ cancelled/);
  expect(done).toMatch(/EXIT=2/);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
});

test('Ctrl-C then d stops watching (exit 130); the deployment goes on to succeed', async () => {
  terminal = startTerminal(env);
  terminal.run(`${BIN} deploy clitty prod --image ${tags.slow}`);
  const screen = await screenMatching('health running', new RegExp(`${SPINNER.source} health`));
  const id = /(dep_\w+)/.exec(screen)?.[1] as string;
  terminal.keys('C-c');
  await screenMatching('the question', /\[c\/d\/w\]/);
  terminal.keys('d');
  const done = await screenMatching('the end', /EXIT=\d+/);
  expect(done).toMatch(/EXIT=130/);
  expect((await waitForDeployment(berth, id)).status).toBe('succeeded');
});

// What "stop watching" rests on: Node's fetch ties the caller's signal to the request it sends
// through a weak reference, lost when openapi-fetch's Request object is collected
// (nodejs/node#55428); the client holds that Request while its body is read. Without it the
// follow below reads on to the deployment's end, as `berth deploy` once did after "d".
test('aborting a followed deployment stops the stream at once, even after a garbage collection', async () => {
  const client = createBerthClient({ url: cli.server().url, token: berth.token });
  const id = await deploy(berth, fx, tags.slow);
  const stop = new AbortController();
  let healthRunning!: () => void;
  const seen = new Promise<void>((resolve) => (healthRunning = resolve));
  const following = followDeployment(client, {
    deploymentId: id,
    signal: stop.signal,
    onEvent: (e) => e.event === 'phase' && e.data.phase === 'health' && e.data.outcome === 'running' && healthRunning(),
  }).then(
    (status) => `ended ${status}`,
    (err: unknown) => `threw ${String(err)}`,
  );
  await seen;
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const abortedAt = Date.now();
  stop.abort('detached');
  const outcome = await Promise.race([following, new Promise((resolve) => setTimeout(() => resolve('still reading after 2 s'), 2000))]);
  expect(outcome).toBe('threw detached');
  expect(Date.now() - abortedAt).toBeLessThan(500);
  expect((await waitForDeployment(berth, id)).status).toBe('succeeded');
});

test('off a terminal, Ctrl-C (SIGINT) stops watching without asking; the deployment goes on', async () => {
  const watched = startCli(['deploy', 'clitty', 'prod', '--image', tags.v1], { env });
  const id = await waitFor('the id', async () => watched.stdout().trim() || undefined);
  watched.child.kill('SIGINT');
  const res = await watched.done;
  expect(res.code).toBe(130);
  expect(res.stderr).toContain(`stopped watching; ${id} goes on`);
  expect(res.stderr).not.toMatch(/\[c\/d\/w\]/);
  expect((await waitForDeployment(berth, id)).status).toBe('succeeded');
});
