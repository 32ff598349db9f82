// The chain end to end: API → lane workflow on the real Temporal server → activities start a
// container from the local test image through dockerode → Traefik route → HTTP through
// Traefik's entrypoint reaches it; everything is removed afterwards.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { routeFileName } from '../../src/domain/route.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

let berth: TestBerth;
const image = 'berth-test/chain:v1';

beforeAll(async () => {
  buildHello(image, { version: 'chain-v1' });
  berth = await startBerth();
});

afterAll(async () => {
  await berth?.close();
  removeImages(image);
});

test('a deployment runs as a workflow, starts a container and is reachable through Traefik', async () => {
  const fx = await createImageApp(berth, { app: 'chain', image });
  const id = await deploy(berth, fx);
  const done = await waitForDeployment(berth, id);
  expect(done.status, done.message).toBe('succeeded');

  const res = await throughTraefik(fx.host);
  expect(res.status).toBe(200);
  expect(res.body.trim()).toBe('chain-v1');

  const containers = await berth.containers(fx.environmentId);
  expect(containers).toHaveLength(1);
  expect(containers[0]?.Ports.every((p) => !p.IP || p.IP === '127.0.0.1')).toBe(true);
  expect(existsSync(join(berth.config.traefik.routesDir, routeFileName(berth.config.instance, fx.environmentId)))).toBe(true);

  // The workflow is real: Temporal knows it, with Berth's search attributes. (The deployment's
  // row says succeeded from inside the workflow's last task, a moment before Temporal records
  // the workflow complete: its result is awaited first.)
  const handle = berth.temporal.workflow.getHandle(done.workflowId);
  await handle.result();
  const description = await handle.describe();
  expect(description.status.name).toBe('COMPLETED');
  expect(description.searchAttributes.BerthDeployment).toEqual([id]);
});
