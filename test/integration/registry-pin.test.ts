// Deploy by tag from a real registry (Debian's docker-registry on 127.0.0.1): the image is
// pulled, its digest pinned on the release, and a later push to the same tag does not change
// what a rollback to that release runs — even once its container and image were pruned.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { getRelease } from '../../db/queries/releases.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy } from '../support/fixtures.js';
import { buildHello, imageExists, pushImage, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

let berth: TestBerth;
let tag: string;
let other: string;
const pinned: string[] = [];

beforeAll(async () => {
  const registry = inject('services').registryHost;
  tag = `${registry}/pin/hello:stable`;
  other = `${registry}/pin/other:1`;
  berth = await startBerth();
});

afterAll(async () => {
  await berth?.close();
  removeImages(tag, other, ...pinned);
});

test('a tag is pulled and pinned; rollback to a pruned release runs the pinned digest', async () => {
  buildHello(tag, { version: 'first' });
  pushImage(tag);
  removeImages(tag); // only the registry has it now
  const fx = await createImageApp(berth, { app: 'pin', environment: { retention: 1 } });

  const first = await waitForDeployment(berth, await deploy(berth, fx, tag));
  expect(first.status, first.message).toBe('succeeded');
  const release = await getRelease(berth.database.db, first.releaseId);
  pinned.push(release?.imagePinned as string);
  expect(release?.imagePulled).toBe(true);
  expect(release?.imagePinned).toMatch(new RegExp(`^${tag.replace(/:stable$/, '').replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`));
  expect((await throughTraefik(fx.host)).body.trim()).toBe('first');

  // The tag moves on in the registry.
  buildHello(tag, { version: 'second' });
  pushImage(tag);
  removeImages(tag);

  // Another release takes over; with retention 1 the first release's container and the image
  // Berth pulled for it are pruned.
  buildHello(other, { version: 'other' });
  pushImage(other);
  const second = await waitForDeployment(berth, await deploy(berth, fx, other));
  expect(second.status, second.message).toBe('succeeded');
  const leftover = (await berth.containers(fx.environmentId)).filter((c) => c.Labels['berth.release'] === first.releaseId);
  expect(leftover).toEqual([]);
  expect(imageExists(release?.imagePinned as string)).toBe(false);
  expect(second.phases.find((p: { phase: string }) => p.phase === 'prune').message).toMatch(/removed 1 container\(s\) and 1 image\(s\)/);

  // Rollback: recreated from the pinned digest, so it is "first", not what the tag says now.
  const rollback = await berth.api('POST', `${fx.base}/rollback`, { releaseId: first.releaseId });
  expect(rollback.status, JSON.stringify(rollback.body)).toBe(202);
  const back = await waitForDeployment(berth, rollback.body.deploymentId);
  expect(back.status, back.message).toBe('succeeded');
  expect(back.phases.find((p: { phase: string }) => p.phase === 'create').outcome).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('first');
});

test('an image that exists nowhere fails permanently with ImageNotFound', async () => {
  const fx = await createImageApp(berth, { app: 'nowhere' });
  const d = await waitForDeployment(berth, await deploy(berth, fx, `${inject('services').registryHost}/no/such:image`));
  expect(d.status).toBe('failed');
  expect(d.errorType).toBe('ImageNotFound');
  expect(d.phases.find((p: { phase: string }) => p.phase === 'resolve').outcome).toBe('failed');
  expect(await berth.containers(fx.environmentId)).toEqual([]);
});
