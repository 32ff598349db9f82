// When an activity's retries run out, the failure Temporal records (and the deployment then
// records) has one of the documented types of src/errors.ts, never the class name of what was
// thrown ("BerthError", "Error"). One activity of each group runs for real on a worker of this
// test's own, with the production interceptors, against dependencies that do not answer: a
// database on a closed port, a Docker socket that does not exist, Traefik and Temporal nowhere.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import Docker from 'dockerode';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createControlActivities, createHostActivities, type ActivityDeps } from '../../activities/index.js';
import * as schema from '../../db/schema/index.js';
import { DEFAULT_HEALTH_CHECK } from '../../src/domain/app-spec.js';
import type { DeployRequest } from '../../src/domain/deployment.js';
import { ERROR_TYPES, PERMANENT_ERROR_TYPES, type ErrorType } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { createSecretBox } from '../../src/secrets/secret-box.js';
import { ACTIVITY_INTERCEPTORS, installTemporalRuntime } from '../../src/temporal/worker.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { freePort } from '../support/free-port.js';
import type { ActivityOutcome, ActivityRun } from '../support/workflows/run-activity.js';

const ATTEMPTS = 2;
/**
 * Docker steps wait, within each attempt's deadline, for an engine that is away before they fail
 * as Unavailable (activities/docker/engine-guard.ts): a short attempt keeps that wait to seconds.
 */
const ATTEMPT_TIMEOUT = '8s';
let berth: TestBerth;
let worker: Worker;
let running: Promise<void>;
let dir: string;
const taskQueue = `error-types-${process.pid}`;
const sql = { end: async () => {} };

beforeAll(async () => {
  // A Berth for its namespace and Temporal client only: this test runs its own worker.
  berth = await startBerth({ workers: false });
  dir = mkdtempSync(join(tmpdir(), 'berth-error-types-'));
  const closed = await freePort();
  // No backoff between connection attempts: each run sees the refusal at once.
  const db = postgres(`postgres://berth@127.0.0.1:${closed}/berth`, { max: 1, connect_timeout: 2, backoff: () => 0, onnotice: () => {} });
  sql.end = () => db.end({ timeout: 1 });
  const log = createLogger({ level: 'error', format: 'json' });
  installTemporalRuntime(log);
  const deps: ActivityDeps = {
    db: drizzle(db, { schema }),
    docker: new Docker({ socketPath: join(dir, 'no-docker.sock') }),
    temporal: new Client({ connection: Connection.lazy({ address: `127.0.0.1:${closed}`, interceptors: [] }), namespace: 'nowhere' }),
    log,
    appsDomain: 'localhost',
    instance: berth.config.instance,
    traefik: { routesDir: join(dir, 'routes'), apiUrl: `http://127.0.0.1:${closed}`, entryUrl: `http://127.0.0.1:${closed}`, httpsEntryUrl: `https://127.0.0.1:${closed}`, liveTimeoutMs: 300 },
    static: { ...berth.config.static, dir: join(dir, 'static') },
    box: createSecretBox(Buffer.alloc(32, 7)),
    site: { appsDomain: 'localhost', hostId: 'local', traefikPort: closed, httpsPort: closed, publicUrl: 'http://127.0.0.1' },
    github: { apiUrl: `http://127.0.0.1:${closed}`, webUrl: `http://127.0.0.1:${closed}` },
    builds: { workspacesDir: join(dir, 'builds'), dockerCli: berth.config.builds.dockerCli },
    dockerSocket: join(dir, 'no-docker.sock'),
    previewIdleSeconds: 60,
  };
  mkdirSync(deps.traefik.routesDir, { recursive: true });
  worker = await Worker.create({
    connection: await NativeConnection.connect({ address: inject('services').temporalAddress }),
    namespace: berth.config.temporal.namespace,
    taskQueue,
    // The test's client encrypts what it sends (src/temporal/payload-codec.ts).
    dataConverter: berth.dataConverter,
    workflowsPath: new URL('../support/workflows/run-activity.ts', import.meta.url).pathname,
    activities: { ...createHostActivities(deps), ...createControlActivities(deps) },
    interceptors: ACTIVITY_INTERCEPTORS,
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await sql.end();
  await berth?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(name: string, args: unknown[]): Promise<ActivityOutcome & { attempts: number; recorded: (string | null)[] }> {
  const input: ActivityRun = { name, args, maximumAttempts: ATTEMPTS, nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES], startToCloseTimeout: ATTEMPT_TIMEOUT };
  const handle = await berth.temporal.workflow.start('runActivity', { taskQueue, workflowId: `error-types-${name}-${Date.now()}`, args: [input] });
  const outcome = (await handle.result()) as ActivityOutcome;
  // What Temporal itself recorded: the failure of the activity's last attempt, and its attempts.
  const history = await handle.fetchHistory();
  const failed = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes);
  const started = (history.events ?? []).find((e) => e.activityTaskStartedEventAttributes);
  return {
    ...outcome,
    attempts: started?.activityTaskStartedEventAttributes?.attempt ?? 0,
    recorded: failed.map((e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type ?? null),
  };
}

const ids = { deploymentId: 'dep_errortypes', appId: 'app_errortypes', environmentId: 'env_errortypes' };
const running_ = (phases = []) => ({ deploymentId: ids.deploymentId, phases, running: true });
const request: DeployRequest = {
  ...ids,
  kind: 'deploy',
  appKind: 'image',
  appName: 'a',
  environmentName: 'e',
  trigger: 'test',
  image: 'x',
  queuePolicy: 'fifo',
  cancelSuperseded: false,
  retention: 1,
  drainSeconds: 0,
  hosts: [],
  hostId: 'local',
};
const feedback = { environmentUrl: 'http://e.localhost', publicUrl: 'http://127.0.0.1', production: true, transient: false };
const source = { repository: 'o/r', url: null, ref: 'main', sha: null, installationId: 1, pullRequest: null, feedback };

const CASES: { group: string; name: string; args: unknown[]; expected: ErrorType }[] = [
  { group: 'store', name: 'markLive', args: [{ environmentId: ids.environmentId, releaseId: 'rel_x', deploymentId: ids.deploymentId }], expected: 'Unavailable' },
  { group: 'docker', name: 'listContainers', args: [{}], expected: 'Unavailable' },
  { group: 'release', name: 'launchRelease', args: [{ ...ids, report: running_(), image: { ref: 'x', releaseId: 'rel_x' } }], expected: 'Unavailable' },
  { group: 'swarm', name: 'pruneStack', args: [{ appId: ids.appId, environmentId: ids.environmentId, liveReleaseId: null }], expected: 'Unavailable' },
  { group: 'router', name: 'switchRoute', args: [{ report: { deploymentId: ids.deploymentId, phases: [] }, route: { ...ids, hosts: ['e.localhost'], servers: ['http://127.0.0.1:9'] }, verify: { path: '/', expectedStatus: 200, attempts: 1, timeoutMs: 100 } }], expected: 'RouteNotLive' },
  { group: 'static', name: 'prepareStaticRelease', args: [{ ...ids, appName: 'a', environmentName: 'e', report: running_(), releaseId: 'rel_x', artifact: { sha256: 'x', bytes: 1, files: 1, unpackedBytes: 1 } }], expected: 'Unavailable' },
  { group: 'build', name: 'fetchSource', args: [{ ...ids, report: running_(), source }], expected: 'Unavailable' },
  { group: 'github', name: 'reportDeployStarted', args: [{ deploymentId: ids.deploymentId, appName: 'a', environmentName: 'e', source, sha: 'abc' }], expected: 'Unavailable' },
  { group: 'lanes', name: 'submitDeploy', args: [{ request }], expected: 'Unavailable' },
  { group: 'previews', name: 'ensurePreviewEnvironment', args: [{ target: { appId: ids.appId, appName: 'a', number: 1, repository: 'o/r', templateEnvironmentId: ids.environmentId, idleSeconds: 60 }, event: { headSha: 'abc', head: 'b', installationId: 1 } }], expected: 'Unavailable' },
  { group: 'reconcile', name: 'sweepOrphans', args: [{ keep: {}, activeDeploymentIds: [] }], expected: 'Unavailable' },
  { group: 'a bug', name: 'launchRelease', args: [], expected: 'Internal' },
];

test.concurrent.each(CASES)('$group: $name whose retries run out records $expected', async ({ name, args, expected }) => {
  const r = await run(name, args);
  expect(r.failed).toBe(true);
  expect(r.type, r.message).toBe(expected);
  expect(ERROR_TYPES).toContain(r.type);
  expect(r.attempts).toBe(ATTEMPTS);
  expect(r.recorded).toEqual([expected]);
});

test('a permanent failure is not retried and keeps its type', async () => {
  // A replica that answers, unhealthy: the verdict is the app's (a replica that does not answer
  // at all is first asked after, from the engine, which this test's worker has none of).
  const unhealthy = createServer((_req, res) => res.writeHead(503).end('unhealthy'));
  await new Promise<void>((resolve) => unhealthy.listen(0, '127.0.0.1', resolve));
  const { port } = unhealthy.address() as AddressInfo;
  const check = { ...DEFAULT_HEALTH_CHECK, intervalMs: 10, timeoutMs: 100, failureThreshold: 1, startPeriodMs: 0 };
  const r = await run('waitHealthy', [{ deploymentId: ids.deploymentId, endpoints: [{ containerId: 'c', replica: 0, url: `http://127.0.0.1:${port}` }], check }]).finally(
    () => new Promise((resolve) => unhealthy.close(resolve)),
  );
  expect(r.type, r.message).toBe('HealthCheckFailed');
  expect(r.attempts).toBe(1);
  expect(r.recorded).toEqual(['HealthCheckFailed']);
});
