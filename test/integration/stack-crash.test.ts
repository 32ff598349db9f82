// Crash durability of stack rollouts: the worker process (`berth worker`) is SIGKILLed while a
// service of the rollout is starting or being health-gated, then started again. Each rollout
// finishes (or, for an unhealthy release, rolls back) correctly, with exactly one Swarm service
// per compose service and no stray task.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { deploymentServicePhases } from '../../db/schema/index.js';
import { LABEL } from '../../src/domain/labels.js';
import { stackNamespace } from '../../src/domain/stack.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { buildHello, removeImages } from '../support/images.js';
import { createStackApp, deployStack, setVariables, THREE_SERVICES, type StackFixture } from '../support/stack-fixtures.js';
import { swarmObjects } from '../support/swarm.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

let berth: TestBerth;
let fx: StackFixture;
let worker: ChildProcess | null = null;
const tags = { a: 'berth-test/stack-crash:a', b: 'berth-test/stack-crash:b', bad: 'berth-test/stack-crash:bad' };

beforeAll(async () => {
  // Slow to start, so each service's start and health phases last long enough to die in.
  buildHello(tags.a, { version: 'a', startDelay: 1.5 });
  buildHello(tags.b, { version: 'b', startDelay: 1.5 });
  buildHello(tags.bad, { version: 'bad', healthy: false });
  berth = await startBerth({ workers: false });
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
  const bundle = join(berth.config.dataDir, 'workflow-bundle.js');
  writeFileSync(bundle, code);
  berth.env.BERTH_WORKFLOW_BUNDLE = bundle;
  fx = await createStackApp(berth, { app: 'crashstack', compose: THREE_SERVICES });
  worker = await berth.spawnWorker();
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await berth?.close();
  removeImages(...Object.values(tags));
});

async function runningServicePhase(id: string, service: string): Promise<string | null> {
  const rows = await berth.database.db
    .select({ phase: deploymentServicePhases.phase })
    .from(deploymentServicePhases)
    .where(and(eq(deploymentServicePhases.deploymentId, id), eq(deploymentServicePhases.service, service), eq(deploymentServicePhases.outcome, 'running')));
  return rows[0]?.phase ?? null;
}

/** One Swarm service per compose service, each running exactly its replicas. */
async function expectNoDuplicates(label: string) {
  const namespace = stackNamespace(fx.environmentId);
  const { services } = await swarmObjects(berth.docker, berth.config.instance, { [LABEL.stack]: namespace });
  expect(services.map((s) => s.labels[LABEL.service]).sort(), label).toEqual(['api', 'store', 'web']);
  // Replaced tasks take a moment to stop: then exactly one runs per service.
  const running = await waitFor(
    `${label}: one running task per service`,
    async () => {
      const found = await berth.docker.listContainers({ filters: { label: [`${LABEL.stack}=${namespace}`], status: ['running'] } });
      return found.length === 3 ? found : undefined;
    },
    30_000,
    200,
  );
  expect(new Set(running.map((c) => c.Labels[LABEL.service])).size, label).toBe(3);
}

test('a worker killed mid-rollout: the rollout finishes, once, with no duplicate service', async () => {
  const rounds: { image: string; target: string; phase: string; expect: string }[] = [
    { image: tags.a, target: 'store', phase: 'start', expect: 'a' },
    { image: tags.b, target: 'api', phase: 'start', expect: 'b' },
    { image: tags.a, target: 'web', phase: 'health', expect: 'a' },
  ];
  const recovered: string[] = [];
  for (const round of rounds) {
    await setVariables(berth, fx.base, { WEB_IMAGE: round.image, API_IMAGE: round.image, STORE_IMAGE: round.image, STORE_TOKEN: 't' });
    const id = await deployStack(berth, fx);
    await waitFor(`${round.target} ${round.phase} of ${id}`, async () => (await runningServicePhase(id, round.target)) === round.phase, 90_000, 5);
    worker?.kill('SIGKILL');
    const killedAt = Date.now();
    const killedIn = await runningServicePhase(id, round.target);
    worker = await berth.spawnWorker();
    const d = await waitForDeployment(berth, id, 120_000);
    recovered.push(`${round.target}/${round.phase} ${Date.parse(d.finishedAt) - killedAt} ms`);
    expect(killedIn, `kill aimed at ${round.target} ${round.phase}`).toBe(round.phase);
    expect(d.status, `${round.target}: ${d.message}`).toBe('succeeded');
    expect((await throughTraefik(fx.host)).body.trim()).toBe(round.expect);
    await expectNoDuplicates(round.target);
  }
  process.stdout.write(`stack crash: kill → deployment finished: ${recovered.join(', ')}\n`);
}, 600_000);

test('a worker killed while an unhealthy service is gated: the stack rolls back, once', async () => {
  await setVariables(berth, fx.base, { WEB_IMAGE: tags.b, API_IMAGE: tags.bad, STORE_IMAGE: tags.b, STORE_TOKEN: 't' });
  const id = await deployStack(berth, fx);
  await waitFor(`api start of ${id}`, async () => (await runningServicePhase(id, 'api')) === 'start', 90_000, 5);
  worker?.kill('SIGKILL');
  worker = await berth.spawnWorker();
  const d = await waitForDeployment(berth, id, 180_000);
  expect(d.status).toBe('failed');
  expect(d.message).toMatch(/^service api: /);
  expect((await throughTraefik(fx.host)).body.trim()).toBe('a');
  await expectNoDuplicates('rolled back');
}, 300_000);
