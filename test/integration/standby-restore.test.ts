// The route-only rollback cut short: its confirmation (the lane's own task, probing through
// Traefik) hangs, and the lane is cancelled meanwhile. A cancelled attempt leaves the route to
// its retry; with no retry to come, the lane puts the route the switch replaced back
// (workflows/standby-switch.ts, patch standby-restore-after-failure) before it closes, so
// nothing points at the standby release the database never made live. The confirmation's
// probes go through a relay in front of Traefik's entrypoint that the test makes hold every
// connection without an answer; Traefik itself, and what the test asks of it, stay untouched.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createRouteFiles } from '../../activities/router/route-files.js';
import { laneWorkflowId } from '../../src/domain/workflow-ids.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/standby-restore:v1', v2: 'berth-test/standby-restore:v2' };
let berth: TestBerth;
let fx: AppFixture;
let relay: Server;
let hold = false;
const held: Socket[] = [];
const piped: Socket[] = [];

beforeAll(async () => {
  for (const [v, tag] of Object.entries(tags)) buildHello(tag, { version: v });
  const { entryPort } = inject('services').traefik;
  // Forwards to Traefik's entrypoint, or (hold) accepts and never answers.
  relay = createServer((socket) => {
    if (hold) return void held.push(socket);
    const upstream = connect(entryPort, '127.0.0.1');
    piped.push(socket, upstream);
    socket.pipe(upstream).pipe(socket);
    const close = () => (socket.destroy(), upstream.destroy());
    socket.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((done) => relay.listen(0, '127.0.0.1', done));
  const { port } = relay.address() as { port: number };
  berth = await startBerth({ env: { BERTH_TRAEFIK_ENTRY_URL: `http://127.0.0.1:${port}` } });
  fx = await createImageApp(berth, { app: 'standby-restore', healthCheck: { intervalMs: 100, startPeriodMs: 500, timeoutMs: 20_000 }, environment: { standbySeconds: 600 } });
});

afterAll(async () => {
  await berth?.close();
  for (const s of [...held, ...piped]) s.destroy();
  relay?.close();
  removeImages(...Object.values(tags));
});

test('a standby switch whose confirmation is cancelled with its lane puts the previous route back', async () => {
  const v1 = await deploy(berth, fx, tags.v1);
  expect((await waitForDeployment(berth, v1)).status).toBe('succeeded');
  const v2 = await deploy(berth, fx, tags.v2);
  expect((await waitForDeployment(berth, v2)).status).toBe('succeeded');
  const files = createRouteFiles(berth.config.traefik.routesDir, berth.config.instance);
  expect((await files.read(fx.environmentId))?.deploymentId).toBe(v2);

  hold = true;
  // Answered once recorded and written: the API needs nothing of the entrypoint.
  const rollback = await berth.api('POST', `${fx.base}/rollback`, {});
  expect(rollback.status, JSON.stringify(rollback.body)).toBe(202);
  const id = rollback.body.deploymentId as string;
  expect(rollback.body.workflowId).toBe(laneWorkflowId(fx.environmentId));
  // The standby's route is in place and Traefik serves it; the confirmation's probe hangs.
  expect((await files.read(fx.environmentId))?.deploymentId).toBe(id);
  await waitFor('the confirmation probing through the relay', async () => held.length > 0, 15_000);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');

  const lane = berth.temporal.workflow.getHandle(laneWorkflowId(fx.environmentId));
  await lane.cancel();
  await waitFor('the lane to close', async () => (await lane.describe()).status.name === 'CANCELLED', 30_000);
  // The route the switch replaced is back, on disk and through Traefik; the database never made v1 live.
  expect((await files.read(fx.environmentId))?.deploymentId).toBe(v2);
  await waitFor('Traefik to serve v2 again', async () => (await throughTraefik(fx.host)).body.trim() === 'v2', 10_000);
  const env = (await berth.api('GET', fx.base)).body as { liveReleaseId: string };
  const live = (await berth.api('GET', `${fx.base}/releases`)).body.items.find((r: { id: string }) => r.id === env.liveReleaseId) as { imageRef: string };
  expect(live.imageRef).toBe(tags.v2);
  const logs = (await berth.api('GET', `/api/v1/deployments/${id}/logs`)).body.items as { message: string }[];
  expect(logs.map((l) => l.message).join('\n')).toMatch(/the previous route is back in place/);

  // A later rollback is served as usual, by a new lane run.
  hold = false;
  const again = await berth.api('POST', `${fx.base}/rollback`, {});
  expect(again.status, JSON.stringify(again.body)).toBe(202);
  const r = await waitForDeployment(berth, again.body.deploymentId);
  expect(r.status, r.message).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
});
