// "The Docker engine is away" versus a refusal, on real errors from dockerode: a socket with no
// daemon behind it, a port nobody listens on, and a stand-in daemon on a unix socket that answers
// with the statuses and messages dockerd gives while it shuts down.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { duringPhase, EngineAwayError, engineAnswers, isEngineAway, isEngineAwayNow, isLeftoverTask, phaseOf } from '../../activities/docker/engine-away.js';
import { freePort } from '../support/free-port.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-engine-away-'));
const socket = join(dir, 'docker.sock');
let daemon: Server;

/** The stand-in answers /_ping, and GET /containers/<status>/json with that status and message. */
beforeAll(async () => {
  daemon = createServer((req, res) => {
    if (req.url?.endsWith('/_ping')) return void res.end('OK');
    const [, status, message] = /containers\/(\d+)\/json\?m=(.*)$/.exec(req.url ?? '') ?? [];
    res.writeHead(Number(status ?? 500), { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: decodeURIComponent(message ?? '') }));
  });
  await new Promise<void>((resolve) => daemon.listen(socket, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => daemon.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function errorOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('no error');
    },
    (err: unknown) => err,
  );
}

const answering = new Docker({ socketPath: socket });
const answer = (status: number, message: string) => errorOf(answering.getContainer(`${status}`).inspect({ m: message } as Docker.ContainerInspectOptions));

describe('isEngineAway', () => {
  test('no daemon on the socket, or nobody on the port: away', async () => {
    expect(isEngineAway(await errorOf(new Docker({ socketPath: join(dir, 'gone.sock') }).ping()))).toBe(true);
    expect(isEngineAway(await errorOf(new Docker({ host: '127.0.0.1', port: await freePort() }).ping()))).toBe(true);
  });

  test.each([
    [500, 'failed to create task: transport is closing: unavailable'],
    [500, 'error while dialing: dial unix /run/containerd/containerd.sock: connect: connection refused'],
    [500, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'],
  ])('a %i saying "%s": away', async (status, message) => {
    expect(isEngineAway(await answer(status, message))).toBe(true);
  });

  test.each([
    [404, 'No such container: x'],
    [409, 'Conflict. The container name is already in use'],
    [500, 'driver failed programming external connectivity: port is already allocated'],
    [500, 'Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused'],
  ])('a %i saying "%s" is a refusal', async (status, message) => {
    expect(isEngineAway(await answer(status, message))).toBe(false);
  });

  test('a missing file is not a missing socket; the marker error is away', () => {
    let missing: unknown;
    try {
      readFileSync(join(dir, 'no-such-file'));
    } catch (err) {
      missing = err;
    }
    expect(isEngineAway(missing)).toBe(false);
    expect(isEngineAway(new EngineAwayError('restarted elsewhere'))).toBe(true);
  });
});

describe('isEngineAwayNow', () => {
  test('an unexplained 500 counts as away only while a fresh ping goes unanswered', async () => {
    const err = await answer(500, 'open : no such file or directory');
    expect(await isEngineAwayNow(err, socket)).toBe(false);
    expect(await isEngineAwayNow(err, join(dir, 'gone.sock'))).toBe(true);
    expect(await engineAnswers(socket)).toBe(true);
  });
});

test('a start refused for a task containerd kept is a leftover of a restart', async () => {
  expect(isLeftoverTask(await answer(500, 'task 188fed6085b6c0754c723ca095327cb6: already exists'))).toBe(true);
  expect(isLeftoverTask(await answer(500, 'id already in use'))).toBe(true);
  expect(isLeftoverTask(await answer(409, 'container already exists'))).toBe(false);
});

test('duringPhase: what a phase throws remembers the phase, the first one only', async () => {
  const err = new Error('boom');
  const thrown = await errorOf(duringPhase('health', () => duringPhase('start', () => Promise.reject(err))));
  expect(thrown).toBe(err);
  expect(phaseOf(err)).toBe('start');
  expect(phaseOf(new Error('other'))).toBe(null);
});
