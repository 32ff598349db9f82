// Hosts: the installation's own host registers itself with its worker's first heartbeat; an
// operator registers another ahead of its worker; `berth worker --host ID` (a separate process,
// that host's activities only) makes it alive, Temporal lists it as its task queue's poller, and
// it cannot be removed while it beats; SIGKILLed, it is down after three missed heartbeats and
// can be removed. Bad input is refused with nothing changed; readers cannot change hosts; the
// CLI lists, drains and removes them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeToken, makeUser } from '../support/accounts.js';
import { runCli } from '../support/berth-cli.js';
import { startCliBerth, type CliBerth } from '../support/cli-berth.js';
import { waitFor } from '../support/wait.js';

const ROOT = new URL('../..', import.meta.url).pathname;
let cli: CliBerth;
let worker: ChildProcess | null = null;
let output = '';

beforeAll(async () => {
  cli = await startCliBerth({ env: { BERTH_HOST_HEARTBEAT_SECONDS: '1' } });
}, 60_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  await cli?.close();
});

const api = (method: string, path: string, body?: unknown) => cli.berth.api(method, `/api/v1/hosts${path}`, body);

function startHostWorker(id: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'worker', '--host', id], {
    cwd: ROOT,
    env: { ...process.env, ...cli.berth.env, BERTH_HOST_HEARTBEAT_SECONDS: '1', BERTH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

test('the own host registers itself; another is registered, refused when malformed, and reads its pollers', async () => {
  const own = await waitFor('the own host', async () => ((await api('GET', '')).body.items as { id: string; alive: boolean }[]).find((h) => h.id === cli.berth.config.hostId && h.alive));
  expect(own).toMatchObject({ address: '127.0.0.1', heartbeatSeconds: 1, taskQueue: `berth.host.${cli.berth.config.hostId}` });

  const created = await api('POST', '', { id: 'edge-2', address: '10.0.0.12', labels: { region: 'eu' }, capacity: { containers: 40 } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body).toMatchObject({ id: 'edge-2', alive: false, draining: false, lastSeenAt: null, labels: { region: 'eu' }, capacity: { containers: 40 } });
  expect((await api('POST', '', { id: 'edge-2', address: '10.0.0.13' })).status).toBe(409);
  for (const bad of [
    { id: 'Edge_2', address: '10.0.0.12' },
    { id: 'edge-3', address: 'not an address!' },
    { id: 'edge-3', address: '10.0.0.12', capacity: { containers: -1 } },
    { id: 'edge-3', address: '10.0.0.12', other: true },
  ]) {
    const res = await api('POST', '', bad);
    expect(res.status, JSON.stringify(bad)).toBe(400);
    expect(res.body.error.type).toBe('ValidationFailed');
  }
  expect((await api('PATCH', '/edge-2', {})).status).toBe(400);
  expect((await api('PATCH', '/edge-2', { address: '' })).status).toBe(400);
  expect((await api('GET', '/edge-3')).status).toBe(404);
  const listed = (await api('GET', '')).body.items as { id: string; address: string }[];
  expect(listed.map((h) => h.id).sort()).toEqual(['edge-2', cli.berth.config.hostId].sort());
  expect(listed.find((h) => h.id === 'edge-2')?.address).toBe('10.0.0.12');

  // Nobody polls its task queue yet.
  expect((await api('GET', '/edge-2')).body.pollers).toEqual([]);

  // A reader sees hosts and changes none.
  const reader = await makeToken(cli.berth.database.db, (await makeUser(cli.berth.database.db, { email: 'reader@example.test' })).id);
  const asReader = (method: string, path: string, body?: unknown) => cli.berth.api(method, `/api/v1/hosts${path}`, body, reader);
  expect((await asReader('GET', '')).status).toBe(403);
  expect((await asReader('PATCH', '/edge-2', { draining: true })).status).toBe(403);
  expect((await api('GET', '/edge-2')).body.draining).toBe(false);
});

test('berth worker --host: alive while it beats, polled by it, not removable; down once killed, then removable', async () => {
  worker = startHostWorker('edge-2');
  const alive = await waitFor('edge-2 alive', async () => {
    const res = await api('GET', '/edge-2');
    return res.body.alive && res.body.pollers?.length ? res.body : undefined;
  }, 60_000, 200);
  expect(alive.seenBy).toMatch(new RegExp(`:${worker.pid}$`));
  expect(output).toMatch(/"hostOnly":true/);
  // Its first heartbeat left the operator's address and labels alone.
  expect(alive).toMatchObject({ address: '10.0.0.12', labels: { region: 'eu' } });

  expect((await api('DELETE', '/edge-2')).status).toBe(409);
  expect((await api('DELETE', `/${cli.berth.config.hostId}`)).status).toBe(409);

  worker.kill('SIGKILL');
  const killedAt = Date.now();
  await waitFor('edge-2 down', async () => (await api('GET', '/edge-2')).body.alive === false, 20_000, 200);
  const downAfterMs = Date.now() - killedAt;
  process.stdout.write(`hosts: a killed host worker counted down after ${downAfterMs} ms (heartbeat 1 s, three missed)\n`);
  expect(downAfterMs).toBeLessThan(8000);
  expect((await api('DELETE', '/edge-2')).status).toBe(204);
  expect((await api('GET', '/edge-2')).status).toBe(404);
}, 120_000);

test('berth worker --host with a malformed id exits 64 naming it', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'worker', '--host', 'Not_Valid'], { cwd: ROOT, env: { ...process.env, ...cli.berth.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).toBe(64);
  expect(stderr).toMatch(/--host: expected a short lowercase host id/);
}, 60_000);

test('berth hosts: add, list, drain and remove', async () => {
  const added = await runCli(['hosts', 'add', 'edge-4', '--address', '10.0.0.14', '--label', 'disk=ssd'], { env: cli.env });
  expect(added.code, added.stderr).toBe(0);
  expect(added.stderr).toMatch(/berth worker --host edge-4/);
  const drained = await runCli(['hosts', 'drain', 'edge-4'], { env: cli.env });
  expect(drained.code, drained.stderr).toBe(0);
  const listed = await runCli(['hosts', '--output', 'json'], { env: cli.env });
  expect(listed.code, listed.stderr).toBe(0);
  expect((JSON.parse(listed.stdout) as { id: string; draining: boolean; labels: Record<string, string> }[]).find((h) => h.id === 'edge-4')).toMatchObject({ draining: true, labels: { disk: 'ssd' } });
  expect((await runCli(['hosts', 'add', 'edge-4', '--address', '10.0.0.14'], { env: cli.env })).code).not.toBe(0);
  const removed = await runCli(['hosts', 'remove', 'edge-4'], { env: cli.env });
  expect(removed.code, removed.stderr).toBe(0);
  expect((await api('GET', '/edge-4')).status).toBe(404);
}, 60_000);
