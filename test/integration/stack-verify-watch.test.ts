// A stack's switch verified and watched (workflows/stack-verify-watch.ts) on the real Docker
// Swarm, Traefik and Temporal, with a stack of an exposed web and a worker that is not exposed:
// a first deploy verifies its tasks' images and routers and skips its watch; a router of another
// file claiming the web's own host name fails the verification and every service goes back; a
// web that turns unhealthy after its switch is rolled back by the watch (web and worker back on
// the previous release, the deployment rolled-back with the figures), and so is a canary promoted
// by hand whose web turns unhealthy a few seconds after the promote; a healthy release watched
// under load fails no request; an exposed service scaled to 0 replicas is left out of both. The
// time of a stack rollback is printed.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { LABEL } from '../../src/domain/labels.js';
import { stackNamespace } from '../../src/domain/stack.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { createStackApp, deployStack, setVariables, type StackFixture } from '../support/stack-fixtures.js';
import { swarmObjects } from '../support/swarm.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const services = inject('services');
const tags = {
  web1: 'berth-test/svw-web:1',
  web2: 'berth-test/svw-web:2',
  webSour: 'berth-test/svw-web:sours',
  webSourLate: 'berth-test/svw-web:sours-late',
  web4: 'berth-test/svw-web:4',
  worker1: 'berth-test/svw-worker:1',
  worker2: 'berth-test/svw-worker:2',
};
const COMPOSE = `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    x-berth: { port: 8080, path: /healthz }
  worker:
    image: \${WORKER_IMAGE:?set WORKER_IMAGE}
`;
const stray = `zz-stray-${randomBytes(4).toString('hex')}`;
const strayFile = join(services.traefik.routesDir, `${stray}.yml`);
let berth: TestBerth;
let fx: StackFixture;
/** Releases by the web version they run. */
const released: Record<string, string> = {};

type Phase = { phase: string; outcome: string; message: string | null; startedAt: string; endedAt: string };
const phaseOf = (d: { phases: Phase[] }, name: string) => d.phases.find((p) => p.phase === name);
const web = async () => (await throughTraefik(fx.host)).body.trim();
const env = async () => (await berth.api('GET', fx.base)).body as { liveReleaseId: string; liveDeploymentId: string };
const imageId = (tag: string) => berth.docker.getImage(tag).inspect().then((i) => i.Id);

/** Each compose service's image as Swarm runs it (exposed services: the one of the live spec only, once pruned). */
async function serviceImages(): Promise<Record<string, string[]>> {
  const { services: list } = await swarmObjects(berth.docker, berth.config.instance, { [LABEL.stack]: stackNamespace(fx.environmentId) });
  const out: Record<string, string[]> = {};
  for (const s of list) (out[s.labels[LABEL.service] as string] ??= []).push(s.image);
  return out;
}

async function deployWith(webImage: string, workerImage: string): Promise<string> {
  await setVariables(berth, fx.base, { WEB_IMAGE: webImage, WORKER_IMAGE: workerImage });
  return deployStack(berth, fx);
}

beforeAll(async () => {
  buildHello(tags.web1, { version: 'w1' });
  buildHello(tags.web2, { version: 'w2' });
  // Gated, switched and verified within seconds of listening; its /healthz goes after 10 s.
  buildHello(tags.webSour, { version: 'w3', unhealthyAfter: 10 });
  buildHello(tags.web4, { version: 'w4' });
  // A canary's web: its /healthz goes 25 s after it listens, timed by the test to follow the promote.
  buildHello(tags.webSourLate, { version: 'w5', unhealthyAfter: 25 });
  buildHello(tags.worker1, { version: 'k1' });
  buildHello(tags.worker2, { version: 'k2' });
  berth = await startBerth();
  fx = await createStackApp(berth, { app: 'svw', compose: COMPOSE, environment: { watch: { seconds: 25, failedProbes: 3 } } });
});

afterAll(async () => {
  rmSync(strayFile, { force: true });
  await berth?.close();
  removeImages(...Object.values(tags));
});

test('a first deploy verifies its tasks and routers; its watch is skipped', async () => {
  const d = await waitForDeployment(berth, await deployWith(tags.web1, tags.worker1), 120_000);
  expect(d.status, d.message).toBe('succeeded');
  released.w1 = d.releaseId;
  expect(d.phases.map((p: Phase) => p.phase)).toEqual(['queued', 'resolve', 'rollout', 'verify', 'watch', 'drain', 'prune']);
  expect(phaseOf(d, 'verify')?.outcome).toBe('succeeded');
  expect(phaseOf(d, 'watch')).toMatchObject({ outcome: 'skipped', message: 'no previous release to go back to' });
  expect(await web()).toBe('w1');
  expect((await throughTraefik(`web.${fx.host}`)).body.trim()).toBe('w1');
}, 180_000);

test('a router elsewhere claiming the web’s host name fails the verification: every service goes back', async () => {
  const before = await env();
  const images = await serviceImages();
  writeFileSync(
    strayFile,
    JSON.stringify({
      http: {
        routers: { [stray]: { rule: `Host(\`web.${fx.host}\`)`, service: stray, entryPoints: ['web'], priority: 1 } },
        services: { [stray]: { loadBalancer: { servers: [{ url: 'http://127.0.0.1:9' }] } } },
      },
    }),
  );
  await waitFor('Traefik to load the stray router', async () => (await fetch(`${services.traefik.apiUrl}/api/http/routers/${stray}@file`)).ok);
  try {
    const d = await waitForDeployment(berth, await deployWith(tags.web2, tags.worker2), 120_000);
    expect(d.status, d.message).toBe('failed');
    expect(d.errorType).toBe('RouteVerificationFailed');
    expect(d.message).toContain(`service web: `);
    expect(d.message).toContain(`web.${fx.host}: router ${stray}@file leads to http://127.0.0.1:9`);
    expect(phaseOf(d, 'verify')?.outcome).toBe('failed');
    expect(phaseOf(d, 'revert')?.outcome).toBe('succeeded');
    expect(await env()).toEqual(expect.objectContaining({ liveReleaseId: before.liveReleaseId, liveDeploymentId: before.liveDeploymentId }));
    expect(await web()).toBe('w1');
    // Web and worker as the live release runs them; v2's web service is gone.
    expect(await serviceImages()).toEqual(images);
  } finally {
    rmSync(strayFile, { force: true });
  }
}, 180_000);

test('a web that turns unhealthy after its switch is rolled back by the watch: every service back on the previous release', async () => {
  const before = await env();
  const images = await serviceImages();
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 10_000, maxMs: 120_000, acceptBodies: ['w1', 'w3'] });
  const id = await deployWith(tags.webSour, tags.worker2);
  const d = await waitForDeployment(berth, id, 150_000);
  const result = await load.stop();

  expect(d.status, d.message).toBe('rolled-back');
  expect(d.errorType).toBe('WatchThresholdCrossed');
  expect(d.message).toMatch(new RegExp(`^rolled back to release 1: 3 health probes failed in a row \\((web\\.)?${fx.host.replace(/\./g, '\\.')}/healthz HTTP 404\\); Traefik's metrics: \\d+ requests, 5xx 0`));
  expect(phaseOf(d, 'verify')?.outcome).toBe('succeeded');
  expect(phaseOf(d, 'watch')?.outcome).toBe('failed');
  expect(await env()).toEqual(expect.objectContaining({ liveReleaseId: before.liveReleaseId, liveDeploymentId: before.liveDeploymentId }));
  expect(await web()).toBe('w1');
  expect(await serviceImages()).toEqual(images);
  expect(images.worker).toEqual([await imageId(tags.worker1)]);
  // The old web never stopped: the load saw no failure, and w3 answered before the verdict.
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('w3')).toBeGreaterThan(0);
  console.log(`stack watch: ${d.message}; load ${result.sent} sent (${result.bodies.get('w1') ?? 0} w1, ${result.bodies.get('w3') ?? 0} w3), ${result.failed} failed`);
}, 240_000);

test('a promoted canary whose web turns unhealthy after the switch is rolled back by the watch: traffic back on the previous release', async () => {
  const before = await env();
  const images = await serviceImages();
  // Long enough to see the web turn unhealthy however late in its 25 s the promote came.
  expect((await berth.api('PATCH', fx.base, { watch: { seconds: 40, failedProbes: 3 } })).status).toBe(200);
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 10_000, maxMs: 150_000, acceptBodies: ['w1', 'w5'] });
  await setVariables(berth, fx.base, { WEB_IMAGE: tags.webSourLate, WORKER_IMAGE: tags.worker2 });
  const t0 = Date.now();
  const res = await berth.api('POST', `${fx.base}/deployments`, { canary: { steps: [50], stepSeconds: 120 } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.deploymentId as string;
  await waitFor('the canary at 50 %', async () => {
    const s = await berth.api('GET', `/api/v1/deployments/${id}/canary`);
    return s.status === 200 && s.body.step === 1 && s.body.weight === 50 ? s.body : undefined;
  }, 90_000, 20);
  // The new web listened after t0, so it turns unhealthy 25 s after t0 at the earliest: promote 7 s before that.
  const wait = t0 + 18_000 - Date.now();
  expect(wait, 'the canary reached its step too late to time the promote').toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, wait));
  const promotedAt = Date.now();
  expect((await berth.api('POST', `/api/v1/deployments/${id}/canary/promote`)).body.outcome).toBe('promoting');
  const d = await waitForDeployment(berth, id, 150_000);
  await new Promise((r) => setTimeout(r, 500));
  const result = await load.stop();

  expect(d.status, d.message).toBe('rolled-back');
  expect(d.errorType).toBe('WatchThresholdCrossed');
  expect(d.message).toMatch(new RegExp(`^rolled back to release \\d+: 3 health probes failed in a row \\((web\\.)?${fx.host.replace(/\./g, '\\.')}/healthz HTTP 404\\); Traefik's metrics: \\d+ requests, 5xx 0`));
  expect(phaseOf(d, 'canary')?.message).toMatch(/^promoted at step 1\/1 \(50 %\)/);
  expect(phaseOf(d, 'verify')?.outcome).toBe('succeeded');
  const watch = phaseOf(d, 'watch') as Phase;
  expect(watch.outcome).toBe('failed');
  // The verdict came from the watch after the switch, not from the canary or the switch's check.
  const afterPromote = (Date.parse(watch.endedAt) - promotedAt) / 1000;
  expect(Date.parse(watch.startedAt)).toBeGreaterThanOrEqual(Date.parse((phaseOf(d, 'verify') as Phase).endedAt));
  expect(afterPromote).toBeGreaterThan(3);
  expect(await env()).toEqual(expect.objectContaining({ liveReleaseId: before.liveReleaseId, liveDeploymentId: before.liveDeploymentId }));
  expect(await web()).toBe('w1');
  expect(await serviceImages()).toEqual(images);
  // w5 served all the traffic between the switch and the verdict; the way back failed no request.
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('w5') ?? 0).toBeGreaterThan(0);
  expect(result.bodies.get('w1') ?? 0).toBeGreaterThan(0);
  console.log(`stack canary promoted then watched: ${d.message}; watch ended ${afterPromote.toFixed(1)} s after the promote; load ${result.sent} sent (${result.bodies.get('w1') ?? 0} w1, ${result.bodies.get('w5') ?? 0} w5), ${result.failed} failed`);
}, 240_000);

test('a healthy release is watched on Traefik’s metrics under load and goes on, with no failed request', async () => {
  expect((await berth.api('PATCH', fx.base, { watch: { seconds: 4 } })).status).toBe(200);
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 10_000, maxMs: 120_000, acceptBodies: ['w1', 'w4'] });
  const d = await waitForDeployment(berth, await deployWith(tags.web4, tags.worker2), 150_000);
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  const watch = phaseOf(d, 'watch') as Phase;
  expect(watch.outcome).toBe('succeeded');
  const requests = Number(/Traefik's metrics: (\d+) requests, 5xx 0 \(0\.0 %\)/.exec(watch.message ?? '')?.[1]);
  expect(requests).toBeGreaterThan(100);
  expect(result.sent).toBeGreaterThan(200);
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(await web()).toBe('w4');
  released.w4 = d.releaseId;
  expect(await serviceImages()).toEqual({ web: [await imageId(tags.web4)], worker: [await imageId(tags.worker2)] });
  console.log(`stack watch passed: ${watch.message}; load ${result.sent} sent, ${result.failed} failed`);
}, 240_000);

test('a stack rollback is a Swarm revert: how long until the old version answers', async () => {
  // No watch: the time is the rollback's own.
  expect((await berth.api('PATCH', fx.base, { watch: { seconds: 0 } })).status).toBe(200);
  const timings: string[] = [];
  for (const expected of ['w1', 'w4', 'w1', 'w4']) {
    const t0 = Date.now();
    const res = await berth.api('POST', `${fx.base}/rollback`, { releaseId: released[expected] });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await waitFor(`${expected} to answer`, async () => (await web()) === expected, 120_000, 20);
    const answered = Date.now() - t0;
    const d = await waitForDeployment(berth, res.body.deploymentId, 120_000);
    expect(d.status, d.message).toBe('succeeded');
    timings.push(`to ${expected}: answering after ${answered} ms, deployment done after ${Date.parse(d.finishedAt) - t0} ms`);
  }
  console.log(`stack rollback: ${timings.join('; ')}`);
}, 300_000);

test('an exposed service scaled to 0 replicas has nothing to verify or watch: its deploys succeed', async () => {
  const compose = `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    x-berth: { port: 8080, path: /healthz }
  admin:
    image: ${tags.web1}
    x-berth: { port: 8080, path: /healthz }
    deploy: { replicas: 0 }
`;
  const zero = await createStackApp(berth, { app: 'svz', compose, environment: { watch: { seconds: 3 } } });
  const deployZero = async (webImage: string) => {
    await setVariables(berth, zero.base, { WEB_IMAGE: webImage });
    return waitForDeployment(berth, await deployStack(berth, zero), 120_000);
  };
  const first = await deployZero(tags.web1);
  expect(first.status, first.message).toBe('succeeded');
  expect(phaseOf(first, 'verify')?.message).toContain('Traefik routes web (');
  expect(phaseOf(first, 'verify')?.message).not.toContain('admin');
  // The second deploy has a previous release: its watch runs, on the web alone.
  const second = await deployZero(tags.web2);
  expect(second.status, second.message).toBe('succeeded');
  expect(phaseOf(second, 'verify')?.outcome).toBe('succeeded');
  expect(phaseOf(second, 'watch')?.outcome).toBe('succeeded');
  expect((await throughTraefik(`web.${zero.host}`)).body.trim()).toBe('w2');
}, 240_000);
