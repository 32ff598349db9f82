// The cleanup's build cache half, against a Docker daemon of the test's own (pruning the
// machine's cache would take layers from builds running beside this test): a BuildKit build
// leaves cache records; a dry run reports them and removes nothing; a run with an age they are
// younger than keeps them; a run with age 0 removes every unused record.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCleanupBuildCache, type BuildCacheCleanup } from '../../activities/reconcile/index.js';
import { startDockerDaemon, type DockerDaemon } from '../support/docker-daemon.js';

const BASE = 'berth-local/busybox:1';
let daemon: DockerDaemon;
let docker: Docker;
let context: string;

const unusedRecords = async () => (((await docker.df()) as { BuildCache?: { InUse: boolean }[] | null }).BuildCache ?? []).filter((r) => !r.InUse).length;

beforeAll(async () => {
  daemon = await startDockerDaemon(mkdtempSync(join(tmpdir(), 'berth-bcache-')), `bc${process.pid % 10_000}`);
  daemon.load(BASE);
  docker = new Docker({ socketPath: daemon.socket });
  context = mkdtempSync(join(tmpdir(), 'berth-bcache-ctx-'));
  writeFileSync(join(context, 'Dockerfile'), `FROM ${BASE}\nRUN echo ${randomUUID()} > /one\nRUN echo ${randomUUID()} > /two\n`);
  execFileSync('/usr/bin/docker', ['build', '-q', '-t', 'berth-bcache:1', context], {
    env: { PATH: process.env.PATH, DOCKER_BUILDKIT: '1', DOCKER_HOST: `unix://${daemon.socket}` },
    stdio: 'pipe',
  });
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  if (context) rmSync(context, { recursive: true, force: true });
});

test('build cache: a dry run reports, a young cache is kept, age 0 removes every unused record', async () => {
  // Run as an activity (it heartbeats while the engine prunes).
  const env = new MockActivityEnvironment();
  const activity = createCleanupBuildCache({ docker });
  const cleanup = (input: Parameters<typeof activity>[0]): Promise<BuildCacheCleanup> => env.run(activity, input);
  const before = await unusedRecords();
  expect(before).toBeGreaterThanOrEqual(2);

  const dry = await cleanup({ dryRun: true, unusedForHours: 0 });
  expect(dry.records).toBe(before);
  expect(dry.bytes).toBeGreaterThan(0);
  expect(dry.reclaimedBytes).toBe(0);
  expect(await unusedRecords()).toBe(before);

  const young = await cleanup({ dryRun: false, unusedForHours: 24 });
  expect(young.records).toBe(0);
  expect(await unusedRecords()).toBe(before);

  const all = await cleanup({ dryRun: false, unusedForHours: 0 });
  expect(all.records).toBe(before);
  expect(await unusedRecords()).toBe(0);
  // The image built stays: only its cache goes.
  expect((await docker.getImage('berth-bcache:1').inspect()).Id).toMatch(/^sha256:/);
}, 120_000);
