// A stack's post-switch watch across a restart of the Docker engine, on a dockerd of the test's
// own (a single-node Swarm of its own) and a Traefik of its own. The engine restarts while the
// new release's exposed web is watched: its tasks stop answering, and so do the previous
// release's — going back to those would judge the release by the engine. The watch's verdict
// is dropped (the phase ends skipped, naming the restart), the release stays live, Swarm runs
// its replicas again and the deployment points the web's route at the new tasks. A web that is really unhealthy is still rolled back by the watch
// (stack-verify-watch.test.ts). The deploys' histories replay against the current code.
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { deployWorkflowId } from '../../src/domain/workflow-ids.js';
import { probeHttp } from '../../src/http-probe.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { buildHello } from '../support/images.js';
import { startOnOwnEngine, type OwnEngine } from '../support/own-engine.js';
import { createStackApp, deployStack, setVariables, type StackFixture } from '../support/stack-fixtures.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = { web1: 'berth-test/srs-web:1', web2: 'berth-test/srs-web:2', worker: 'berth-test/srs-worker:1' };
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

const web = async () => (await probeHttp(`${engine.traefik.entryUrl}/`, { host: fx.host, timeoutMs: 3000, expectedStatus: 200 })).body.trim();

beforeAll(async () => {
  buildHello(tags.web1, { version: 'w1', stopDelay: 0.3 });
  buildHello(tags.web2, { version: 'w2', stopDelay: 0.3 });
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
  await waitFor(
    `the watch of ${id}`,
    async () => ((await berth.api('GET', `/api/v1/deployments/${id}`)).body.phases as Phase[]).some((p) => p.phase === 'watch' && p.outcome === 'running'),
    120_000,
  );
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
