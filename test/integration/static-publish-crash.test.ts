// A plain static deploy prepares and switches in one activity (activities/static/publish-release.ts,
// patch static-publish-at-once). The worker process is killed with SIGKILL while that activity
// receives or unpacks an archive and started again: the deploy finishes with its release live,
// one release row, no partial directory or staged archive left; and the histories replay
// against the current code.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { recordReport } from '../../activities/store/deployments.js';
import { deploymentPhases, releases } from '../../db/schema/index.js';
import type { PhaseName } from '../../src/domain/phases.js';
import { readCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { siteArchive } from '../support/archives.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import type { AppFixture } from '../support/fixtures.js';
import { createStaticApp, deployArchive } from '../support/static-sites.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const MiB = 1024 * 1024;
let berth: TestBerth;
let fx: AppFixture;
let worker: ChildProcess | null = null;
const deployed: string[] = [];

beforeAll(async () => {
  berth = await startBerth({ workers: false, staticServer: true });
  // A prebuilt bundle: each restarted worker polls within a second instead of re-bundling.
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
  const bundle = join(berth.config.dataDir, 'workflow-bundle.js');
  writeFileSync(bundle, code);
  berth.env.BERTH_WORKFLOW_BUNDLE = bundle;
  fx = await createStaticApp(berth, { app: 'pubcrash', environment: { drainSeconds: 0, retention: 5 } });
  worker = await berth.spawnWorker();
  const first = await deployArchive(berth, fx, siteArchive({ 'index.html': 'v0\n' }));
  expect((await waitForDeployment(berth, first, 60_000)).status).toBe('succeeded');
  deployed.push(first);
}, 180_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  await berth?.close();
});

async function runningPhase(id: string): Promise<PhaseName | null> {
  const rows = await berth.database.db
    .select({ phase: deploymentPhases.phase })
    .from(deploymentPhases)
    .where(and(eq(deploymentPhases.deploymentId, id), eq(deploymentPhases.outcome, 'running')));
  return rows[0]?.phase ?? null;
}

/** A site large enough (incompressible) that its receive and unpack take a while to die in. */
function bigSite(version: string): Buffer {
  const files: Record<string, string | Buffer> = { 'index.html': `${version}\n` };
  for (let i = 0; i < 24; i++) files[`assets/blob-${i}.bin`] = randomBytes(MiB);
  return siteArchive(files);
}

test.each(['receive', 'unpack'] as const)('a worker killed while the one activity is in %s: the deploy finishes, nothing left over', async (target) => {
  const version = `v-${target}`;
  const id = await deployArchive(berth, fx, bigSite(version));
  deployed.push(id);
  await waitFor(`phase ${target} of ${id}`, async () => (await runningPhase(id)) === target, 60_000, 1);
  worker?.kill('SIGKILL');
  const killedIn = await runningPhase(id);
  worker = await berth.spawnWorker();

  const d = await waitForDeployment(berth, id, 120_000);
  expect(d.status, d.message).toBe('succeeded');
  // Killed before the switch, whichever step of the one activity it was in (a small verify may end first).
  expect(['receive', 'unpack', 'verify', 'switch']).toContain(killedIn);
  expect((await throughTraefik(fx.host)).body.trim()).toBe(version);
  const paths = sitePaths(berth.config.static.dir, fx.app, fx.env);
  expect(await readCurrent(paths)).toBe(d.releaseId);
  // One release row for the deployment, every phase ended, no partial directory, no staged archive.
  expect(await berth.database.db.select({ id: releases.id }).from(releases).where(eq(releases.createdByDeploymentId, id))).toHaveLength(1);
  expect(await runningPhase(id)).toBeNull();
  expect((await readdir(paths.releases)).filter((n) => n.endsWith('.partial'))).toEqual([]);
  expect((await readdir(paths.incoming).catch(() => [] as string[])).filter((n) => n.startsWith(id))).toEqual([]);
  const phases = (d.phases as { phase: string; outcome: string }[]).filter((p) => ['receive', 'unpack', 'verify', 'switch'].includes(p.phase));
  expect(phases.map((p) => `${p.phase}:${p.outcome}`)).toEqual(['receive:succeeded', 'unpack:succeeded', 'verify:succeeded', 'switch:succeeded']);
}, 240_000);

test('a report naming a phase twice is one statement that leaves the row as the writes in turn would', async () => {
  const id = deployed[0] as string;
  const row = async () =>
    (await berth.database.db.select().from(deploymentPhases).where(and(eq(deploymentPhases.deploymentId, id), eq(deploymentPhases.phase, 'build'))))[0];
  const t = Date.parse('2026-01-01T00:00:00Z');
  await recordReport(berth.database.db, { deploymentId: id, phases: [{ phase: 'build', outcome: 'running', at: t }, { phase: 'build', outcome: 'succeeded', message: 'done', at: t + 5 }] });
  expect(await row()).toMatchObject({ startedAt: new Date(t), endedAt: new Date(t + 5), outcome: 'succeeded', message: 'done' });
  // An existing row keeps its start; its end, outcome and message are the last write's.
  await recordReport(berth.database.db, { deploymentId: id, phases: [{ phase: 'build', outcome: 'running', at: t + 10 }, { phase: 'build', outcome: 'failed', message: 'again', at: t + 20 }] });
  expect(await row()).toMatchObject({ startedAt: new Date(t), endedAt: new Date(t + 20), outcome: 'failed', message: 'again' });
});

test('the histories of these deploys, killed workers and all, replay against the current code', async () => {
  const histories = [];
  for (const id of deployed) {
    const d = (await berth.api('GET', `/api/v1/deployments/${id}`)).body;
    histories.push({ workflowId: d.workflowId as string, history: await berth.temporal.workflow.getHandle(d.workflowId as string).fetchHistory() });
  }
  // Each took the one-activity path: no separate switch activity was scheduled.
  for (const { workflowId, history } of histories) {
    const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled, workflowId).toContain('publishStaticRelease');
    expect(scheduled, workflowId).not.toContain('switchStaticRelease');
  }
  const errors: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'static-publish-crash', dataConverter: berth.dataConverter }, histories)) {
    if (result.error) errors.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(errors).toEqual([]);
}, 120_000);
