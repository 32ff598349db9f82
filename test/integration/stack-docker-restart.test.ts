// A stack's post-switch watch across a restart of the Docker engine, on a dockerd of the test's
// own (a single-node Swarm of its own) and a Traefik of its own. The engine restarts while the
// new release's exposed web is watched: its tasks stop answering, and so do the previous
// release's — going back to those would judge the release by the engine. The watch's verdict
// is dropped (the phase ends skipped, naming the restart), the release stays live, Swarm runs
// its replicas again and the deployment points the web's route at the new tasks. A web that is really unhealthy is still rolled back by the watch
// (stack-verify-watch.test.ts). When Swarm cannot start the tasks again after the restart (a
// VXLAN device of the same network left on the host, Docker's "file exists"), the deployment
// says Swarm's reason, the release stays live and reconcile routes it once Swarm can. The deploys'
// histories replay against the current code.
import { execFileSync } from 'node:child_process';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { deployWorkflowId } from '../../src/domain/workflow-ids.js';
import { probeHttp } from '../../src/http-probe.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { buildHello } from '../support/images.js';
import { startOnOwnEngine, type OwnEngine } from '../support/own-engine.js';
import { createStackApp, deployStack, setVariables, type StackFixture } from '../support/stack-fixtures.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = { web1: 'berth-test/srs-web:1', web2: 'berth-test/srs-web:2', web3: 'berth-test/srs-web:3', worker: 'berth-test/srs-worker:1' };
const COMPOSE = `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    deploy: { replicas: 2 }
    x-berth: { port: 8080, path: /healthz }
  worker:
    image: ${tags.worker}
`;
let engine: OwnEngine;
let fx: StackFixture;
const deployments: string[] = [];

type Phase = { phase: string; outcome: string; message: string | null };

async function deployWeb(image: string): Promise<string> {
  await setVariables(engine.berth, fx.base, { WEB_IMAGE: image });
  const id = await deployStack(engine.berth, fx);
  deployments.push(id);
  return id;
}

/** Until the deployment's post-switch watch runs. */
async function watchRunning(id: string): Promise<void> {
  await waitFor(
    `the watch of ${id}`,
    async () => ((await engine.berth.api('GET', `/api/v1/deployments/${id}`)).body.phases as Phase[]).some((p) => p.phase === 'watch' && p.outcome === 'running'),
    120_000,
  );
}

const web = async () => (await probeHttp(`${engine.traefik.entryUrl}/`, { host: fx.host, timeoutMs: 3000, expectedStatus: 200 })).body.trim();

beforeAll(async () => {
  buildHello(tags.web1, { version: 'w1', stopDelay: 0.3 });
  buildHello(tags.web2, { version: 'w2', stopDelay: 0.3 });
  buildHello(tags.web3, { version: 'w3', stopDelay: 0.3 });
  buildHello(tags.worker, { version: 'k1' });
  engine = await startOnOwnEngine({ name: `srs${process.pid % 10_000}`, images: Object.values(tags), swarm: true });
  fx = await createStackApp(engine.berth, { app: 'stack-restart', compose: COMPOSE, environment: { watch: { seconds: 20, failedProbes: 3 } } });
  const first = await waitForDeployment(engine.berth, await deployWeb(tags.web1), 180_000);
  expect(first.status, `${first.message}\n${engine.daemon.network()}`).toBe('succeeded');
}, 300_000);

afterAll(async () => {
  await engine?.close();
}, 120_000);

test('the Docker daemon restarts during a stack’s post-switch watch: no verdict on the release, which stays live', async () => {
  const { berth } = engine;
  const id = await deployWeb(tags.web2);
  await watchRunning(id);
  await engine.daemon.restart();
  const d = await waitForDeployment(berth, id, 180_000);
  expect(d.status, d.message).toBe('succeeded');
  const watch = (d.phases as Phase[]).find((p) => p.phase === 'watch');
  expect(watch?.outcome, watch?.message ?? '').toBe('skipped');
  expect(watch?.message).toMatch(/^no verdict: the Docker engine restarted \(its Swarm node came back \d+ s into the watch\); \d+ of the stack's \d+ task\(s\) running again during the watch/);
  // Swarm ran the tasks again at new addresses: the deployment pointed the route there itself.
  expect(watch?.message).toMatch(/the routes of web follow the tasks Swarm runs now/);
  expect((await berth.api('GET', fx.base)).body.liveReleaseId).toBe(d.releaseId);
  expect(await web()).toBe('w2');
}, 300_000);

/** The daemon's Swarm data-path port, and the VNI of each of the stack's overlay networks. */
function overlayNetworks(): { port: number; vnis: string[] } {
  const docker = (...args: string[]) => execFileSync('/usr/bin/docker', ['-H', `unix://${engine.daemon.socket}`, ...args]).toString().trim();
  const port = Number(docker('info', '--format', '{{.Swarm.Cluster.DataPathPort}}'));
  const names = docker('network', 'ls', '--filter', 'driver=overlay', '--format', '{{.Name}}').split('\n').filter((n) => n.startsWith('berth-'));
  const vnis = names.map((n) => docker('network', 'inspect', n, '--format', '{{index .Options "com.docker.network.driver.overlay.vxlanid_list"}}'));
  return { port, vnis };
}

test('Swarm cannot start the tasks again after the restart: the deployment gives its reason, the release stays live, reconcile routes it once Swarm can', async () => {
  const { berth } = engine;
  const id = await deployWeb(tags.web3);
  await watchRunning(id);
  const { port, vnis } = overlayNetworks();
  expect(vnis.length, 'the stack has an overlay network').toBeGreaterThan(0);
  // While the engine is down: a device with the network's VNI on the Swarm's port, as a daemon
  // stopped mid-way leaves one. Every task's network join then fails until it goes.
  const stale = vnis.map((vni, i) => ({ name: `vxs${process.pid % 10_000}${i}`, vni }));
  try {
    await engine.daemon.restart(() => {
      for (const d of stale) execFileSync('ip', ['link', 'add', d.name, 'type', 'vxlan', 'id', d.vni, 'dstport', String(port)]);
    });
    const d = await waitForDeployment(berth, id, 240_000);
    expect(d.status, d.message).toBe('succeeded');
    const watch = (d.phases as Phase[]).find((p) => p.phase === 'watch');
    expect(watch?.outcome, watch?.message ?? '').toBe('skipped');
    expect(watch?.message).toMatch(/^no verdict: the Docker engine restarted .*; 0 of the stack's \d+ task\(s\) running again during the watch/);
    expect(watch?.message).toMatch(/its route could not follow it \(service web: 0 task\(s\) of release \d+ run, it has 2 replica\(s\) \(Swarm's last task error: .*error creating vxlan interface: file exists\)\); reconcile heals it after this deployment/);
    expect((await berth.api('GET', fx.base)).body.liveReleaseId).toBe(d.releaseId);
  } finally {
    for (const d of stale) execFileSync('sh', ['-c', `ip link del ${d.name} 2>/dev/null || true`]);
  }
  // Swarm starts the tasks once it can; a reconcile pass points the route at them.
  await waitFor(
    'w3 through Traefik after a reconcile',
    async () => {
      const pass = await berth.api('POST', '/api/v1/reconcile', { wait: true });
      expect(pass.status).toBe(200);
      return (await web().catch(() => '')) === 'w3';
    },
    120_000,
    2_000,
  );
}, 360_000);

test("the stack deploys' histories replay against the current code", async () => {
  const { berth } = engine;
  const histories = [];
  for (const id of deployments) {
    const workflowId = deployWorkflowId(id);
    histories.push({ workflowId, history: await berth.temporal.workflow.getHandle(workflowId).fetchHistory() });
  }
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: berth.dataConverter, replayName: 'stack-restart-replay' }, histories)) {
    expect(result.error ? String(result.error) : null, result.workflowId).toBe(null);
  }
}, 120_000);
