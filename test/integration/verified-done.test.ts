// A deployment is done only when what runs is the release and Traefik's routers for every host
// name lead to the new servers (invariant 10). A route file beside Berth's that also claims the
// host (lower priority, so Berth's router still wins the entrypoint's probes) makes the check
// fail after the switch: the deployment fails and switches back, and the old release, never
// stopped, serves throughout.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createVerifyReleaseImage } from '../../activities/release/verify-release-image.js';
import { LABEL, labelFilter } from '../../src/domain/labels.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/verified:v1', v2: 'berth-test/verified:v2' };
const services = inject('services');
const tamperName = `zz-tamper-${randomBytes(4).toString('hex')}`;
const tamperFile = join(services.traefik.routesDir, `${tamperName}.yml`);
let berth: TestBerth;
let fx: AppFixture;

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  berth = await startBerth();
  fx = await createImageApp(berth, { app: 'verified', healthCheck: { intervalMs: 100, startPeriodMs: 500 } });
});

afterAll(async () => {
  rmSync(tamperFile, { force: true });
  await berth?.close();
  removeImages(...Object.values(tags));
});

async function traefikRouters(): Promise<string[]> {
  const res = await fetch(`${services.traefik.apiUrl}/api/http/routers?per_page=1000`);
  return ((await res.json()) as { name: string }[]).map((r) => r.name);
}

test('a deploy verifies its release and every host’s routers before it is done', async () => {
  const first = await waitForDeployment(berth, await deploy(berth, fx, tags.v1));
  expect(first.status, first.message).toBe('succeeded');
  const verify = first.phases.find((p: { phase: string }) => p.phase === 'verify');
  expect(verify?.outcome).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
});

test('a router elsewhere that claims the host fails the check: the deployment switches back, v1 serves throughout', async () => {
  // Lowest priority: Berth's router wins every request, so only the routers' check can see it.
  writeFileSync(
    tamperFile,
    JSON.stringify({
      http: {
        routers: { [tamperName]: { rule: `Host(\`${fx.host}\`)`, service: tamperName, entryPoints: ['web'], priority: 1 } },
        services: { [tamperName]: { loadBalancer: { servers: [{ url: 'http://127.0.0.1:9' }] } } },
      },
    }),
  );
  await waitFor('Traefik to load the tampering router', async () => (await traefikRouters()).includes(`${tamperName}@file`));

  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 50, maxRequests: 5000, maxMs: 60_000, acceptBodies: ['v1', 'v2'] });
  const id = await deploy(berth, fx, tags.v2);
  const d = await waitForDeployment(berth, id);
  const result = await load.stop();

  expect(d.status).toBe('failed');
  expect(d.errorType).toBe('RouteVerificationFailed');
  expect(d.message).toContain(`router ${tamperName}@file leads to http://127.0.0.1:9`);
  expect(d.phases.find((p: { phase: string }) => p.phase === 'verify')?.outcome).toBe('failed');
  // Switched back: v1 answers, is still the live release, and v2's containers are gone.
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
  const env = await berth.api('GET', fx.base);
  expect(env.body.liveDeploymentId).not.toBe(id);
  const containers = await berth.containers(fx.environmentId);
  expect(containers.filter((c) => c.Labels['berth.deployment'] === id)).toEqual([]);
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.bodies.get('v1') ?? 0).toBeGreaterThan(0);

  // With the stray router gone, the same release verifies and goes live.
  rmSync(tamperFile);
  await waitFor('Traefik to drop the tampering router', async () => !(await traefikRouters()).includes(`${tamperName}@file`));
  const again = await waitForDeployment(berth, await deploy(berth, fx, tags.v2));
  expect(again.status, again.message).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v2');
});

test('the image check: a container of the release made from another image is a ReleaseMismatch', async () => {
  const verify = createVerifyReleaseImage({ db: berth.database.db, docker: berth.docker, instance: berth.config.instance, publishIp: '127.0.0.1' });
  const env = await berth.api('GET', fx.base);
  const live = env.body.liveReleaseId as string;
  // What runs now is the release: its one container, from its image.
  expect(await verify({ releaseId: live, servers: 1 })).toMatchObject({ containers: 1 });
  // With the app's port: where its container answers now, as a route names it.
  const running = (await berth.containers(fx.environmentId)).find((c) => c.State === 'running' && c.Labels[LABEL.release] === live);
  const published = running?.Ports.find((p) => p.PrivatePort === 8080)?.PublicPort;
  expect(published).toBeGreaterThan(0);
  expect(await verify({ releaseId: live, servers: 1, port: 8080 })).toMatchObject({ containers: 1, servers: [`http://127.0.0.1:${published}`] });
  await expect(verify({ releaseId: live, servers: 2 })).rejects.toMatchObject({ type: 'ReleaseMismatch' });

  // A container labelled as the release's, made beside Berth from another image.
  const [ours] = await berth.docker.listContainers({ filters: { label: labelFilter(berth.config.instance, { [LABEL.release]: live }) } });
  const stranger = await berth.docker.createContainer({ Image: tags.v1, Labels: ours?.Labels ?? {}, name: `verified-stranger-${randomBytes(3).toString('hex')}` });
  try {
    await stranger.start();
    const err = await verify({ releaseId: live, servers: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'ReleaseMismatch' });
    expect(String((err as Error).message)).toMatch(/1 container\(s\) of .* run image sha256:/);
  } finally {
    await stranger.remove({ force: true });
  }
});
