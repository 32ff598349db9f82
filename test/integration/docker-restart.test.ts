// Deploys that survive a restart of the Docker engine, on a dockerd of the test's own (never the
// machine's). Berth talks to it through a pass-through socket that holds one chosen request: the
// create of the deployment's second container, then, in a second deploy, the start of its first.
// While the step waits on that request the daemon restarts and the request's connection is cut,
// as a shutdown does. Each time the deploy waits for the engine, carries on from what the engine
// kept and ends succeeded, with one container per replica (none made twice) and the new version
// answering through Traefik.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LABEL } from '../../src/domain/labels.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { startDockerDaemon, type DockerDaemon } from '../support/docker-daemon.js';
import { startDockerSocketProxy, type DockerSocketProxy } from '../support/docker-socket-proxy.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/restart:v1', v2: 'berth-test/restart:v2', v3: 'berth-test/restart:v3' };
const REPLICAS = 3;
let daemon: DockerDaemon;
let proxy: DockerSocketProxy;
let dir: string;
let berth: TestBerth;
let fx: AppFixture;

beforeAll(async () => {
  // A real app's stop takes a moment: the daemon's shutdown waits for it.
  for (const [name, tag] of Object.entries(tags)) buildHello(tag, { version: name, stopDelay: 0.3 });
  dir = mkdtempSync(join(tmpdir(), 'berth-restart-'));
  daemon = await startDockerDaemon(join(dir, 'dockerd'), `rs${process.pid % 10_000}`);
  daemon.load(...Object.values(tags));
  proxy = await startDockerSocketProxy(daemon.socket, join(dir, 'berth-docker.sock'));
  berth = await startBerth({ env: { DOCKER_SOCKET: proxy.socket } });
  fx = await createImageApp(berth, { app: 'restart', replicas: REPLICAS, healthCheck: { intervalMs: 100, startPeriodMs: 5000 } });
  const first = await waitForDeployment(berth, await deploy(berth, fx, tags.v1));
  expect(first.status, first.message).toBe('succeeded');
}, 300_000);

afterAll(async () => {
  await berth?.close();
  await proxy?.close();
  await daemon?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  removeImages(...Object.values(tags));
});

/** The requests the engine goes away at: the create of a second container, the start of a first. */
const HOLD = {
  create: { match: /^POST \/v[\d.]+\/containers\/create\?name=berth-dep_/, nth: 2 },
  start: { match: /^POST \/v[\d.]+\/containers\/[0-9a-f]+\/start/, nth: 1 },
};

test.each([
  ['create', tags.v2, 'v2'],
  ['start', tags.v3, 'v3'],
] as const)('the Docker daemon restarts during %s: the deploy waits for it and finishes', async (phase, image, version) => {
  const held = proxy.holdNext(HOLD[phase].match, HOLD[phase].nth);
  const id = await deploy(berth, fx, image);
  const request = await Promise.race([held, sleep(60_000).then(() => Promise.reject(new Error(`the deploy sent no request like ${HOLD[phase].match}`)))]);
  await daemon.restart(() => request.drop());
  const d = await waitForDeployment(berth, id, 180_000);
  expect(d.status, d.message).toBe('succeeded');

  // The engine went away while the deploy was in that very phase, and the step ran again.
  const log = (await berth.api('GET', `/api/v1/deployments/${id}/logs`)).body.items as { phase: string | null; message: string }[];
  const away = log.filter((l) => l.message.startsWith('the Docker engine went away'));
  expect(away.map((l) => l.phase), JSON.stringify(log)).toContain(phase);
  expect(log.some((l) => l.message.startsWith('the Docker engine answers again'))).toBe(true);

  const mine = (await berth.containers(fx.environmentId)).filter((c) => c.Labels[LABEL.deployment] === id);
  expect(mine.map((c) => c.Labels[LABEL.replica]).sort()).toEqual(Array.from({ length: REPLICAS }, (_, i) => String(i)).sort());
  expect(mine.every((c) => c.State === 'running')).toBe(true);
  expect((await throughTraefik(fx.host)).body.trim()).toBe(version);
}, 300_000);
