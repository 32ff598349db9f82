// The engine guard's bounded wait, with a real dockerode call against a socket no daemon is
// behind: a step given engineWaitMs hears of the engine still away as final after that long; one
// without it keeps waiting (here until the step is stopped by the test's own deadline).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import Docker from 'dockerode';
import { afterAll, expect, test } from 'vitest';
import { createEngineGuard } from '../../activities/docker/engine-guard.js';
import type { DeploymentLog } from '../../activities/store/deployment-log.js';
import { createLogger } from '../../src/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-engine-guard-'));
const socket = join(dir, 'docker.sock');
const docker = new Docker({ socketPath: socket });
// Written only for steps carrying a deploymentId; these carry none.
const noDeploymentLog = null as unknown as DeploymentLog;
const guard = createEngineGuard({ socketPath: socket, log: createLogger({ level: 'silent', format: 'json' }), deploymentLog: noDeploymentLog }).guard;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a step with engineWaitMs fails for good (Unavailable, not retryable) once the engine stayed away that long', async () => {
  const list = guard('listSomething', async (_input: { engineWaitMs?: number }) => docker.listContainers());
  const started = Date.now();
  const err = await list({ engineWaitMs: 600 }).catch((e: unknown) => e);
  const ms = Date.now() - started;
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'Unavailable', nonRetryable: true });
  expect((err as Error).message).toMatch(/did not answer again within/);
  expect(ms).toBeGreaterThanOrEqual(300);
  expect(ms).toBeLessThan(5000);
});

test('without it the step keeps waiting for the engine', async () => {
  const list = guard('listSomething', async (_input: object) => docker.listContainers());
  const outcome = await Promise.race([list({}).then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('still waiting'), 1500))]);
  expect(outcome).toBe('still waiting');
});
