// A git push that lands while its environment moves to another host: the delivery is planned
// while the environment is still placed on the old host, its deployment waits in the lane behind
// the move, and it builds and runs where the environment is once the move has committed — never
// on the host it left. The second host is a Docker daemon of the test's own in a network
// namespace with its own `berth worker --host h2` (test/support/second-docker-host.ts).
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { builtImageTag } from '../../src/domain/git-build.js';
import { signStandard } from '../../src/git-hosts/generic/standard-webhooks.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { APP_DOCKERFILE, createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { removeImages } from '../support/images.js';
import { startSecondDockerHost, type SecondDockerHost } from '../support/second-docker-host.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

// Every release answers 3 s after it starts: a move spends that long in its health gate, which
// is when the push lands.
const SLOW_START = APP_DOCKERFILE.replace('CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]', 'CMD ["sh", "-c", "sleep 3; exec httpd -f -p 8080 -h /www"]');
let berth: TestBerth;
let h2: SecondDockerHost;
let worker: ChildProcess | null = null;
let repo: LocalRepo;
let hook: { path: string; secret: string };
const images: string[] = [];
const base = '/api/v1/apps/pushed/environments/prod';

const ok = async (method: string, path: string, body?: unknown) => {
  const res = await berth.api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

beforeAll(async () => {
  repo = createLocalRepo({ dockerfile: SLOW_START });
  h2 = await startSecondDockerHost();
  berth = await startBerth();
  await ok('POST', '/api/v1/hosts', { id: 'h2', address: h2.address });
  worker = await berth.spawnWorker({ DOCKER_SOCKET: h2.socket, BERTH_HOST_ADDRESS: h2.address, BERTH_HOST_HEARTBEAT_SECONDS: '1' }, ['--host', 'h2']);
  await waitFor('h2 alive', async () => (await berth.api('GET', '/api/v1/hosts/h2')).body.alive === true, 30_000);
  await ok('POST', '/api/v1/projects', { name: 'moves' });
  const healthCheck = { path: '/healthz', intervalMs: 100, timeoutMs: 1000, startPeriodMs: 5000 };
  await ok('POST', '/api/v1/apps', { project: 'moves', name: 'pushed', kind: 'git', port: 8080, healthCheck, git: { url: repo.url, buildArgs: { RUN_ID: randomUUID() } } });
  await ok('POST', '/api/v1/apps/pushed/environments', { name: 'prod', drainSeconds: 1 });
  await ok('PUT', '/api/v1/apps/pushed/rules', { rules: [{ event: 'push', pattern: 'main', environment: 'prod' }] });
  hook = await ok('POST', '/api/v1/apps/pushed/webhooks');
}, 180_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  try {
    await berth?.close();
  } finally {
    await h2?.stop();
    repo?.remove();
    removeImages(...images);
  }
}, 120_000);

/** Sends a signed push of `sha` to main; the delivery's id. */
async function push(sha: string): Promise<string> {
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ ref: 'refs/heads/main', sha });
  const res = await berth.app.request(hook.path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandard(hook.secret, id, timestamp, body) },
    body,
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { delivery: string }).delivery;
}

async function deliveryResult(delivery: string): Promise<{ deploymentId: string; note: string }> {
  const done = await waitFor(`delivery ${delivery} handled`, async () => {
    const d = (await berth.api('GET', `/api/v1/github/deliveries/${delivery}`)).body;
    return d?.outcome && d.outcome !== 'pending' ? d : undefined;
  });
  expect(done.outcome, done.message).toBe('deployed');
  return done.results[0];
}

const body = async () => (await throughTraefik('pushed.prod.localhost')).body.trim();
const running = async (environmentId: string) => (await berth.containers(environmentId)).filter((c) => c.State === 'running').map((c) => c.Labels['berth.deployment'] ?? c.Names[0]);

test('a push that lands while the environment moves deploys after the move, on the host it moved to', async () => {
  const v1 = repo.commit('v1');
  images.push(builtImageTag(berth.config.instance, 'pushed', v1));
  const first = await waitForDeployment(berth, (await deliveryResult(await push(v1))).deploymentId, 240_000);
  expect(first.status, first.message).toBe('succeeded');
  const env = await ok('GET', base);
  // The release's image on h2 too (no registry in this test), so it can move there and back.
  h2.load(builtImageTag(berth.config.instance, 'pushed', v1));
  const there = await waitForDeployment(berth, (await ok('POST', `${base}/move`, { hostId: 'h2' })).deploymentId, 120_000);
  expect(there.status, there.message).toBe('succeeded');
  expect(h2.environmentContainers(env.id).filter((l) => l.endsWith(' running'))).toHaveLength(1);

  // Back to the default host; the push lands while the move is in its health gate, planned
  // under the placement it still has (h2).
  const back = (await ok('POST', `${base}/move`, { hostId: null })).deploymentId;
  await waitFor(`${back} in its health gate`, async () => (await ok('GET', `/api/v1/deployments/${back}`)).phases.some((p: { phase: string; outcome: string }) => p.phase === 'health' && p.outcome === 'running'), 60_000, 2);
  const v2 = repo.commit('v2');
  images.push(builtImageTag(berth.config.instance, 'pushed', v2));
  const delivered = await deliveryResult(await push(v2));
  const pushedId = delivered.deploymentId;
  // The delivery says so: it waits for the move and deploys where the environment is then.
  expect(delivered.note).toContain(`queued behind move ${back}`);
  const queuedWhileMoving = (await ok('GET', `/api/v1/deployments/${pushedId}`)).status;
  const moved = await waitForDeployment(berth, back, 120_000);
  expect(moved.status, moved.message).toBe('succeeded');
  expect(queuedWhileMoving).toBe('queued');
  const pushed = await waitForDeployment(berth, pushedId, 240_000);
  expect(pushed.status, pushed.message).toBe('succeeded');
  // It waited for the move, then built and ran on the default host, where the environment is.
  expect(Date.parse(pushed.createdAt)).toBeLessThan(Date.parse(moved.finishedAt));
  expect(Date.parse(pushed.startedAt)).toBeGreaterThanOrEqual(Date.parse(moved.finishedAt));
  console.log(`host-move-push: push queued ${Date.parse(moved.finishedAt) - Date.parse(pushed.createdAt)} ms before the move ended; deployed ${Date.parse(pushed.finishedAt) - Date.parse(moved.finishedAt)} ms after it`);
  expect(await ok('GET', base)).toMatchObject({ hostId: null, placement: berth.config.hostId, liveDeploymentId: pushedId });
  expect(await running(env.id)).toEqual([pushedId]);
  expect(h2.environmentContainers(env.id)).toEqual([]);
  expect(await body()).toBe('v2');
}, 600_000);

test('the histories of the moves, the push and the lane replay against the current code', async () => {
  const histories = [];
  for await (const info of berth.temporal.workflow.list()) {
    histories.push({ workflowId: info.workflowId, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
  }
  expect(histories.some((h) => h.workflowId.startsWith('lane-'))).toBe(true);
  const errors = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'host-move-push-replay', dataConverter: berth.dataConverter }, histories)) {
    if (r.error) errors.push(`${r.workflowId}: ${String(r.error)}`);
  }
  expect(errors).toEqual([]);
}, 120_000);
