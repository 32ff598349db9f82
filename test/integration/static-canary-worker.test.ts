// A static site's canary survives its worker: killed (SIGKILL) at the 30 % step, Traefik keeps
// the split meanwhile (the share of answers from the canary stays near 30 %, through the hop);
// a new worker resumes the same step with the same weight, and the deployment ends succeeded
// with no failed request of a steady loopback load.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { siteArchive } from '../support/archives.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import type { AppFixture } from '../support/fixtures.js';
import { startLoad } from '../support/load.js';
import { sampleAnswers } from '../support/split-samples.js';
import { createStaticApp, deployArchive } from '../support/static-sites.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const services = inject('services');
let berth: TestBerth;
let worker: ChildProcess | null = null;
let fx: AppFixture;

type State = { step: number; weight: number; remainingMs: number };
const canaryOf = (id: string) => berth.api<State>('GET', `/api/v1/deployments/${id}/canary`);

beforeAll(async () => {
  berth = await startBerth({ workers: false, staticServer: true });
  worker = await berth.spawnWorker();
  fx = await createStaticApp(berth, { app: 'canarykill', environment: { watch: { seconds: 0 }, canary: { steps: [30], stepSeconds: 8 } } });
  const first = await waitForDeployment(berth, await deployArchive(berth, fx, siteArchive({ 'index.html': 'v1\n' })), 60_000);
  expect(first.status, first.message).toBe('succeeded');
}, 120_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  await berth?.close();
});

test('a worker killed mid-canary: the split stays, a new worker resumes the same step and weight', async () => {
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 10_000, maxMs: 90_000, acceptBodies: ['v1', 'v2'] });
  const id = await deployArchive(berth, fx, siteArchive({ 'index.html': 'v2\n' }));
  const before = await waitFor('the 30 % step', async () => {
    const res = await canaryOf(id);
    return res.status === 200 && res.body.step === 1 && res.body.weight === 30 ? res.body : undefined;
  }, 60_000, 20);
  worker?.kill('SIGKILL');
  const during = await sampleAnswers(fx.host, 200);
  const share = (100 * (during.get('v2') ?? 0)) / 200;
  expect((during.get('v1') ?? 0) + (during.get('v2') ?? 0), JSON.stringify(Object.fromEntries(during))).toBe(200);
  expect(Math.abs(share - 30)).toBeLessThanOrEqual(5);
  worker = await berth.spawnWorker();
  const after = await waitFor('the canary answering again', async () => {
    const res = await canaryOf(id);
    return res.status === 200 ? res.body : undefined;
  }, 60_000, 50);
  expect({ step: after.step, weight: after.weight }).toEqual({ step: before.step, weight: before.weight });
  const d = await waitForDeployment(berth, id, 90_000);
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(Object.fromEntries(await sampleAnswers(fx.host, 20))).toEqual({ v2: 20 });
  console.log(`static canary, worker killed at 30 %: ${share} % from the canary meanwhile; resumed at step ${after.step} (${after.weight} %); load: ${result.sent} sent, ${result.failed} failed`);
}, 180_000);
