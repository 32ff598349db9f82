// A stack's canary survives its worker: a worker killed (SIGKILL) at a step of a stack canary
// resumes at the same step with the same weights once a new one starts, Traefik keeps the split
// meanwhile, and the steady loopback load sees no failed request across the whole canary.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { deployWorkflowId } from '../../src/domain/workflow-ids.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { createStackApp, setVariables, type StackFixture } from '../support/stack-fixtures.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { workflowTrouble } from '../support/workflow-trouble.js';

const services = inject('services');
const tags = { w1: 'berth-test/scw-web:1', w2: 'berth-test/scw-web:2', k1: 'berth-test/scw-worker:1', k2: 'berth-test/scw-worker:2' };
const COMPOSE = `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    x-berth: { port: 8080, path: /healthz }
  worker:
    image: \${WORKER_IMAGE:?set WORKER_IMAGE}
`;
type State = { step: number; weight: number; weights: number[]; remainingMs: number };
let berth: TestBerth;
let worker: ChildProcess | null = null;
let fx: StackFixture;

beforeAll(async () => {
  buildHello(tags.w1, { version: 'w1' });
  buildHello(tags.w2, { version: 'w2' });
  buildHello(tags.k1, { version: 'k1' });
  buildHello(tags.k2, { version: 'k2' });
  berth = await startBerth({ workers: false });
  worker = await berth.spawnWorker();
  fx = await createStackApp(berth, { app: 'scw', compose: COMPOSE, environment: { watch: { seconds: 0 } }, variables: { WEB_IMAGE: tags.w1, WORKER_IMAGE: tags.k1 } });
}, 180_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  await berth?.close();
  removeImages(...Object.values(tags));
});

test('a worker killed mid-canary of a stack resumes at the same step with the same weights', async () => {
  const first = await berth.api('POST', `${fx.base}/deployments`, {});
  expect((await waitForDeployment(berth, first.body.deploymentId, 120_000)).status).toBe('succeeded');
  await setVariables(berth, fx.base, { WEB_IMAGE: tags.w2, WORKER_IMAGE: tags.k2 });
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 20_000, maxMs: 150_000, acceptBodies: ['w1', 'w2'] });
  const res = await berth.api('POST', `${fx.base}/deployments`, { canary: { steps: [30], stepSeconds: 8 } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.deploymentId as string;
  const before = await waitFor(`canary of ${id} at 30 %`, async () => {
    const s = await berth.api<State>('GET', `/api/v1/deployments/${id}/canary`);
    return s.status === 200 && s.body.weight === 30 ? s.body : undefined;
  }, 90_000, 20);
  worker?.kill('SIGKILL');
  // Without a worker Traefik keeps the split: about 30 of 100 answers from the canary.
  let fresh = 0;
  for (let i = 0; i < 100; i++) if ((await throughTraefik(fx.host)).body.trim() === 'w2') fresh++;
  worker = await berth.spawnWorker();
  // The new worker's warnings and the last answer go into a timeout's message (a rare failure
  // once left nothing to read but the timeout).
  let workerOutput = '';
  worker.stdout?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  let lastAnswer = '';
  const after = await waitFor('the canary to answer again', async () => {
    const s = await berth.api<State>('GET', `/api/v1/deployments/${id}/canary`);
    lastAnswer = `${s.status} ${JSON.stringify(s.body)}`;
    return s.status === 200 ? s.body : undefined;
  }, 60_000, 50).catch(async (err: Error) => {
    const warnings = workerOutput.split('\n').filter((l) => /"level":(40|50|60)/.test(l)).slice(-10);
    throw new Error([err.message, `last answer: ${lastAnswer}`, await workflowTrouble(berth.temporal, deployWorkflowId(id)), ...warnings].join('\n'));
  });
  expect(after).toMatchObject({ step: before.step, weight: 30, weights: before.weights });
  const d = await waitForDeployment(berth, id, 120_000);
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(Math.abs(fresh - 30)).toBeLessThanOrEqual(5);
  expect(await throughTraefik(fx.host).then((r) => r.body.trim())).toBe('w2');
  expect(result.failed, result.failures.join('\n')).toBe(0);
  console.log(`stack canary: worker killed at step ${before.step} (30 %): ${fresh} of 100 from the canary meanwhile; resumed at step ${after.step} (${after.weight} %) with ${Math.round(after.remainingMs)} ms left; load ${result.sent} sent, ${result.failed} failed`);
}, 300_000);
