// `berth dev` killed with SIGKILL, as a crash or an impatient user does: the Temporal dev server,
// Traefik and nginx it started die with it (their watchdog sees Berth's lifeline close), the next
// start finishes the deploy that was in flight, and once that run has stopped no process of
// either run is left. When a killed run's programs do survive (their watchdogs were killed too),
// the next start replaces them rather than adopting them (while a run lives, a second start on
// its data refuses instead). And `berth dev` whose parent is killed
// (npm, under `npm start`) stops everything and exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { firstAdminToken } from '../support/first-admin.js';
import { freePort } from '../support/free-port.js';
import { buildHello, removeImages } from '../support/images.js';
import { processesMentioning, processTree, stillRunning, type ProcessInfo } from '../support/process-tree.js';
import { waitFor } from '../support/wait.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const image = 'berth-test/devcrash:v1';
const instance = `devcrash-${process.pid}`;
let env: Record<string, string>;
const dataDirs: string[] = [];
const started = new Set<ChildProcess>();

beforeAll(() => {
  buildHello(image, { version: 'crash-v1', startDelay: 0.5 });
});

afterEach(() => {
  // A failed test must not leave its `berth dev` (and so, through the watchdogs, its programs) behind.
  for (const child of started) child.kill('SIGKILL');
  started.clear();
});

afterAll(async () => {
  const docker = new Docker();
  for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.instance=${instance}`] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  removeImages(image);
});

async function freshEnv(): Promise<Record<string, string>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-devcrash-'));
  dataDirs.push(dataDir);
  return {
    BERTH_DATA_DIR: dataDir,
    BERTH_TOOLS_DIR: inject('services').toolsDir,
    BERTH_INSTANCE: instance,
    BERTH_API_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    BERTH_TEMPORAL_UI_PORT: String(await freePort()),
    BERTH_TRAEFIK_PORT: String(await freePort()),
    BERTH_TRAEFIK_API_PORT: String(await freePort()),
    BERTH_TRAEFIK_HTTPS_PORT: String(await freePort()),
    BERTH_STATIC_PORT: String(await freePort()),
    BERTH_LOG_FORMAT: 'json',
    BERTH_LOG_LEVEL: 'warn',
  };
}

/** `berth dev`, or (underParent) a shell running it as npm does, which the test can kill alone. */
async function startDev(options: { underParent?: boolean } = {}): Promise<ChildProcess> {
  let output = '';
  const command = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli.ts'), 'dev'];
  // `; :` keeps the shell from exec'ing node: it stays its parent.
  const [file, ...args] = options.underParent ? ['/bin/sh', '-c', '"$@"; :', 'npm-like', ...command] : command;
  const child = spawn(file as string, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  // A start that never gets there says what it printed (one beside a full suite once ran out of time silently).
  await waitFor('"Berth is running."', async () => output.includes('Ctrl-C stops it.') || (child.exitCode !== null && Promise.reject(new Error(output))), 120_000, 200).catch((err: Error) => {
    throw new Error(`${err.message}\nwhat it printed:\n${output.slice(-4000)}`);
  });
  return child;
}

/** A `berth dev` expected to give up at start: its exit code and what it printed. */
async function runToExit(): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'dev'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  started.delete(child);
  return { code, output };
}

async function exit(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

let token = '';
const api = (path: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${env.BERTH_API_PORT}/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** The run's programs: Temporal, Traefik and nginx (master and workers), found in its process tree. */
function programsOf(tree: ProcessInfo[]): ProcessInfo[] {
  return tree.filter((p) => !p.cmdline.includes('berth-watchdog:') && /\/temporal server start-dev|\/traefik --configFile|^nginx: /.test(p.cmdline));
}

function expectNothingLeft(...trees: ProcessInfo[][]): void {
  for (const tree of trees) expect(stillRunning(tree).map((p) => p.cmdline)).toEqual([]);
  expect(processesMentioning(env.BERTH_DATA_DIR as string).map((p) => p.cmdline)).toEqual([]);
}

test('SIGKILL of berth dev mid-deploy: its programs die with it, the next run finishes the deploy, nothing is left once it stops', async () => {
  env = await freshEnv();
  const first = await startDev();
  const firstTree = processTree(first.pid as number);
  expect(programsOf(firstTree).length).toBeGreaterThanOrEqual(4); // temporal, traefik, nginx master and a worker

  token = await firstAdminToken(`http://127.0.0.1:${env.BERTH_API_PORT}`, env.BERTH_DATA_DIR as string);
  expect((await api('/projects', { name: 'crashp' })).status).toBe(201);
  expect((await api('/apps', { project: 'crashp', name: 'crashapp', image, healthCheck: { path: '/healthz' } })).status).toBe(201);
  expect((await api('/apps/crashapp/environments', { name: 'prod', drainSeconds: 0 })).status).toBe(201);
  const res = await api('/apps/crashapp/environments/prod/deployments', {});
  expect(res.status).toBe(202);
  const { deploymentId } = (await res.json()) as { deploymentId: string };

  expect(await exit(first, 'SIGKILL')).toBe(null);
  // Nobody stops them but their watchdogs, within the grace period.
  await waitFor("the killed run's Temporal, Traefik and nginx to be gone", async () => stillRunning(firstTree).length === 0, 15_000, 100);

  const second = await startDev();
  const secondTree = processTree(second.pid as number);
  await waitFor('the deploy to finish in the next run', async () => {
    const d = (await (await api(`/deployments/${deploymentId}`)).json()) as { status: string };
    return d.status === 'succeeded';
    // A fresh Temporal, Traefik and nginx, then the resumed deploy: about 20 s on a quiet machine,
    // several times that beside a full suite on two cores.
  }, 180_000, 200);
  expect(await exit(second, 'SIGINT')).toBe(0);
  expectNothingLeft(firstTree, secondTree);
}, 420_000);

test('a start replaces what a killed run left running (its watchdogs killed too), and stopping it leaves nothing', async () => {
  env = await freshEnv();
  const first = await startDev();
  const firstTree = processTree(first.pid as number);
  const programs = programsOf(firstTree);
  // While that run lives, its programs are no leftovers: a second start on its data refuses.
  const refused = await runToExit();
  expect(refused.code).toBe(1);
  expect(refused.output).toContain('another berth dev');
  expect(stillRunning(programs).length).toBe(programs.length);
  // Leftovers as an older Berth, or a kill of the whole session, would leave them: the watchdogs go first.
  for (const p of firstTree.filter((p) => p.cmdline.includes('berth-watchdog:'))) process.kill(p.pid, 'SIGKILL');
  expect(await exit(first, 'SIGKILL')).toBe(null);
  await new Promise((r) => setTimeout(r, 1000));
  // Left running: the leftovers this test is about. (One that writes to the killed run's pipe in
  // that second may die of it, so not every one need be left.)
  expect(stillRunning(programs).length, 'the programs outlive their killed watchdogs').toBeGreaterThan(0);

  const second = await startDev();
  expect(stillRunning(programs).map((p) => p.cmdline)).toEqual([]);
  expect((await fetch(`http://127.0.0.1:${env.BERTH_API_PORT}/healthz`)).status).toBe(200);
  const secondTree = processTree(second.pid as number);
  expect(programsOf(secondTree).length).toBeGreaterThanOrEqual(4);
  expect(await exit(second, 'SIGINT')).toBe(0);
  expectNothingLeft(firstTree, secondTree);
}, 300_000);

test('berth dev whose parent is SIGKILLed (npm start killed) stops what it started and exits', async () => {
  env = await freshEnv();
  const parent = await startDev({ underParent: true });
  const tree = processTree(parent.pid as number);
  const dev = tree.find((p) => p.cmdline.includes('src/cli.ts dev') && p.pid !== parent.pid) as ProcessInfo;
  expect(dev, 'berth dev under the shell').toBeDefined();
  expect(programsOf(tree).length).toBeGreaterThanOrEqual(4);
  expect(await exit(parent, 'SIGKILL')).toBe(null);
  await waitFor('berth dev and its programs to stop', async () => stillRunning(tree).length === 0, 30_000, 200);
  expectNothingLeft(tree);
}, 300_000);
