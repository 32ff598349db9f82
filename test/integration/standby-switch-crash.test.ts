// Crash resume of the route-only rollback: the worker (`berth worker`, which runs the lane and
// its local activities) is killed with SIGKILL the moment the switch has written the route file,
// before Traefik's confirmation and before the lane recorded anything of it. The restarted
// worker runs the lane's update again and the rollback ends `succeeded` once, the old version
// answering, no container made or started again, and the lane's history (the takeover of the
// update included) replays against the current code. (Which path finishes it is not asserted.)
import { type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { routeFileName } from '../../src/domain/route.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

const tags = { v1: 'berth-test/standby-crash:v1', v2: 'berth-test/standby-crash:v2' };
let berth: TestBerth;
let fx: AppFixture;
let worker: ChildProcess | null = null;

beforeAll(async () => {
  for (const [v, tag] of Object.entries(tags)) buildHello(tag, { version: v });
  berth = await startBerth({ workers: false });
  fx = await createImageApp(berth, { app: 'standby-crash', healthCheck: { intervalMs: 100, startPeriodMs: 500 }, environment: { standbySeconds: 600 } });
  worker = await berth.spawnWorker();
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await berth?.close();
  removeImages(...Object.values(tags));
});

const phaseOf = (d: { phases: { phase: string; outcome: string }[] }, name: string) => d.phases.find((p) => p.phase === name);
const startedAt = (id: string) => execFileSync('/usr/bin/docker', ['inspect', '-f', '{{.State.StartedAt}}', id]).toString().trim();

test('a worker killed right after the switch wrote the route: the rollback ends once, nothing started again', async () => {
  const v1 = await deploy(berth, fx, tags.v1);
  expect((await waitForDeployment(berth, v1)).status).toBe('succeeded');
  const v2 = await deploy(berth, fx, tags.v2);
  expect((await waitForDeployment(berth, v2)).status).toBe('succeeded');
  const before = await berth.containers(fx.environmentId);
  expect(before.filter((c) => c.State === 'running').length).toBe(2);
  const starts = new Map(before.map((c) => [c.Id, startedAt(c.Id)]));

  // Kill the worker as soon as the route file names a deployment other than v2's.
  const file = routeFileName(berth.config.instance, fx.environmentId);
  let killedFor: string | null = null;
  const watcher = watch(berth.config.traefik.routesDir, (_event, name) => {
    if (name !== file || killedFor) return;
    void readFile(join(berth.config.traefik.routesDir, file), 'utf8').then((text) => {
      const id = /"X-Berth-Deployment":\s*"([^"]+)"/.exec(text)?.[1] ?? text.match(/dep_[a-z0-9]+/g)?.find((d) => d !== v2);
      if (killedFor || !id || id === v2) return;
      killedFor = id;
      worker?.kill('SIGKILL');
    }, () => undefined);
  });
  try {
    // The API call waits for the lane's answer, which a new worker gives.
    const answered = berth.api('POST', `${fx.base}/rollback`, {});
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const tick = setInterval(() => {
        if (killedFor) resolve();
        else if (Date.now() - started > 30_000) reject(new Error('the switch never wrote the route'));
        if (killedFor || Date.now() - started > 30_000) clearInterval(tick);
      }, 2);
    });
    worker = await berth.spawnWorker();
    const rollback = await answered;
    expect(rollback.status).toBe(202);
    expect(rollback.body.deploymentId).toBe(killedFor);
    const r = await waitForDeployment(berth, rollback.body.deploymentId, 90_000);
    expect(r.status, r.message).toBe('succeeded');
    expect(phaseOf(r, 'create')?.outcome ?? 'skipped').toBe('skipped');
  } finally {
    watcher.close();
  }
  expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
  // The same two containers, neither started again; exactly one rollback deployment was made.
  const after = await berth.containers(fx.environmentId);
  expect(after.map((c) => c.Id).sort()).toEqual([...starts.keys()].sort());
  for (const c of after) expect(startedAt(c.Id)).toBe(starts.get(c.Id));
  const list = (await berth.api('GET', `${fx.base}/deployments`)).body.items as { kind: string }[];
  expect(list.filter((d) => d.kind === 'rollback').length).toBe(1);
  // The lane's history, the new worker's takeover of the update included, replays against the
  // current code (patch standby-decide-settled; before it, the takeover decided in another order).
  const history = await berth.temporal.workflow.getHandle(`lane-${fx.environmentId}`).fetchHistory();
  await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH, dataConverter: berth.dataConverter, replayName: 'standby-crash-replay' }, history);
});
