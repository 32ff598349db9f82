// The create step against the real Docker engine: a container is created at once (no lookup
// first); a retry finds the containers its earlier attempt made; a container of that name that is
// not this deployment's is refused, and left as it was.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createContainerActivities } from '../../activities/docker/containers.js';
import { LABEL, containerName } from '../../src/domain/labels.js';
import { createLogger } from '../../src/logger.js';
import { createSecretBox } from '../../src/secrets/secret-box.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { waitForDeployment } from '../support/wait.js';

const TAG = 'berth-test/create:v1';
let berth: TestBerth;
let fx: AppFixture;
let releaseId: string;
let appId: string;
const made: string[] = [];

beforeAll(async () => {
  buildHello(TAG, { version: 'v1' });
  berth = await startBerth();
  fx = await createImageApp(berth, { app: 'create-first', replicas: 2 });
  const done = await waitForDeployment(berth, await deploy(berth, fx, TAG));
  expect(done.status, done.message).toBe('succeeded');
  releaseId = done.releaseId;
  appId = (await berth.api('GET', `/api/v1/apps/${fx.app}`)).body.id;
});

afterAll(async () => {
  await Promise.all(made.map((name) => berth.docker.getContainer(name).remove({ force: true }).catch(() => undefined)));
  await berth?.close();
  removeImages(TAG);
});

function activities() {
  const { config } = berth;
  return createContainerActivities({
    docker: berth.docker,
    socketPath: config.docker.socketPath,
    db: berth.database.db,
    box: createSecretBox(berth.ring),
    log: createLogger({ level: 'warn', format: 'json' }),
    instance: config.instance,
    publishIp: '127.0.0.1',
  });
}

test('created once per replica; the same step again finds them', async () => {
  const containers = activities();
  const deploymentId = `dep_createfirst${Date.now().toString(36)}`;
  made.push(containerName(deploymentId, 0), containerName(deploymentId, 1));
  const site = { deploymentId, appId, environmentId: fx.environmentId, releaseId };
  const first = await containers.createContainers(site);
  const again = await containers.createContainers(site);
  expect(first).toHaveLength(2);
  expect(again).toEqual(first);
  const labels = await Promise.all(first.map(async (id) => (await berth.docker.getContainer(id).inspect()).Config.Labels));
  expect(labels.map((l) => [l[LABEL.deployment], l[LABEL.replica]])).toEqual([
    [deploymentId, '0'],
    [deploymentId, '1'],
  ]);
});

test("a container of that name that is not this deployment's is refused and left alone", async () => {
  const containers = activities();
  const deploymentId = `dep_createtaken${Date.now().toString(36)}`;
  const name = containerName(deploymentId, 0);
  made.push(name, containerName(deploymentId, 1));
  const foreign = await berth.docker.createContainer({ name, Image: TAG, Labels: { 'berth-test': 'foreign' } });
  const refused = await containers.createContainers({ deploymentId, appId, environmentId: fx.environmentId, releaseId }).then(
    () => null,
    (err: Error & { type?: string; nonRetryable?: boolean }) => err,
  );
  expect(refused?.message).toMatch(/exists and is not this deployment's/);
  expect([refused?.type, refused?.nonRetryable]).toEqual(['Conflict', true]);
  const kept = (await foreign.inspect()).Config.Labels;
  expect([kept['berth-test'], kept[LABEL.deployment]]).toEqual(['foreign', undefined]);
});
