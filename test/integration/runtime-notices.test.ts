// Runtime events reach the channels, provoked with real containers: a live release whose
// /healthz starts failing (health.lost once, however many passes fail) and then answers again
// (health.regained); a container that exits every few seconds and is restarted by the engine
// (container.restart_loop, once); a container with a 16 MiB limit that allocates 100 MiB
// (container.oom_killed, and the worker's berth_container_oom_kills_total counts it). Each is a
// signed webhook at a loopback receiver.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { freePort } from '../support/free-port.js';
import { buildHello, removeImages } from '../support/images.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const HELLO = `berth-test/runtime-hello:${process.pid}`;
const CRASHER = `berth-test/runtime-crasher:${process.pid}`;
const HOG = `berth-test/runtime-hog:${process.pid}`;
let berth: TestBerth;
let http: HttpReceiver;
let metricsPort: number;

/** An image FROM the local busybox whose command is `cmd` (busybox httpd answers / and /healthz first). */
function buildImage(tag: string, cmd: string): void {
  const dockerfile = `FROM berth-local/busybox:1\nRUN mkdir -p /www && echo ok > /www/healthz && echo ok > /www/index.html\nCMD ["sh", "-c", ${JSON.stringify(cmd)}]\n`;
  execFileSync('/usr/bin/docker', ['build', '-q', '--label', 'berth-test=1', '-t', tag, '-'], { input: dockerfile, stdio: ['pipe', 'pipe', 'pipe'] });
}

interface Delivered {
  type: string;
  data: { title: string; text: string; facts: Record<string, string> };
}
const delivered = (path: string): Delivered[] => http.accepted(path).map((r) => JSON.parse(r.body) as Delivered);

async function channel(name: string, app: string, events: string[]): Promise<void> {
  const res = await berth.api('POST', '/api/v1/notification-channels', { name, destination: { kind: 'webhook', url: http.url(`/${name}`) }, subscriptions: [{ app, events }] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function deployed(fx: AppFixture): Promise<void> {
  const d = await waitForDeployment(berth, await deploy(berth, fx));
  expect(d.status, JSON.stringify(d)).toBe('succeeded');
}

beforeAll(async () => {
  buildHello(HELLO, { version: 'v1', unhealthyAfter: 6 });
  // Answers for 3 s, then exits 1: the engine's restart policy starts it again and again.
  buildImage(CRASHER, 'httpd -f -p 8080 -h /www & sleep 3; exit 1');
  // Answers, then becomes a `dd` with a 100 MiB buffer: over a 16 MiB limit, the kernel kills it.
  buildImage(HOG, 'httpd -f -p 8080 -h /www & sleep 3; exec dd if=/dev/zero of=/dev/null bs=100M count=1');
  http = await startHttpReceiver();
  metricsPort = await freePort();
  berth = await startBerth({
    env: {
      BERTH_HEALTH_WATCH_SECONDS: '1',
      BERTH_RESTART_LOOP_COUNT: '3',
      BERTH_RESTART_LOOP_SECONDS: '120',
      BERTH_WORKER_METRICS_LISTEN: `127.0.0.1:${metricsPort}`,
      BERTH_CONTAINER_SAMPLE_SECONDS: '1',
      // Reconcile would start the exited crasher itself; the engine's restarts are what is counted.
      BERTH_DOCKER_EVENTS: 'false',
    },
  });
}, 120_000);

afterAll(async () => {
  await berth?.close();
  await http?.close();
  removeImages(HELLO, CRASHER, HOG);
});

test('a live release that stops answering its health check is told once as lost, then as regained', async () => {
  const fx = await createImageApp(berth, { app: 'healthy', image: HELLO, healthCheck: { failureThreshold: 3, successThreshold: 2 } });
  await channel('health', 'healthy', ['health.lost', 'health.regained']);
  await deployed(fx);
  const lost = await waitFor('health.lost', async () => delivered('/health').find((d) => d.type === 'health.lost'), 30_000, 200);
  expect(lost.data.text).toMatch(/fails its health check \(\/healthz\): replica 0: HTTP 404/);
  expect(lost.data.facts).toMatchObject({ app: 'healthy', environment: 'prod', path: '/healthz' });
  expect(http.accepted('/health')[0]?.headers['webhook-signature']).toMatch(/^v1,/);
  // Failing passes go on (one a second): no second health.lost.
  await new Promise((r) => setTimeout(r, 3000));
  expect(delivered('/health').map((d) => d.type)).toEqual(['health.lost']);

  // The app answers again (its file back): regained, once.
  const [container] = (await berth.containers(fx.environmentId)).filter((c) => c.State === 'running');
  execFileSync('/usr/bin/docker', ['exec', container!.Id, 'sh', '-c', 'echo ok > /www/healthz']);
  const regained = await waitFor('health.regained', async () => delivered('/health').find((d) => d.type === 'health.regained'), 20_000, 200);
  expect(regained.data.text).toMatch(/answers its health check \(\/healthz\) again on 1 replica/);
  await new Promise((r) => setTimeout(r, 2000));
  expect(delivered('/health').map((d) => d.type)).toEqual(['health.lost', 'health.regained']);
}, 60_000);

test('a container the engine restarts again and again is told as a restart loop, once', async () => {
  const fx = await createImageApp(berth, { app: 'crasher', image: CRASHER });
  await channel('loops', 'crasher', ['container.restart_loop']);
  await deployed(fx);
  const loop = await waitFor('container.restart_loop', async () => delivered('/loops')[0], 45_000, 200);
  expect(loop.type).toBe('container.restart_loop');
  expect(loop.data.facts).toMatchObject({ app: 'crasher', environment: 'prod', replica: '0' });
  expect(Number(loop.data.facts.restarts)).toBeGreaterThanOrEqual(3);
  expect(loop.data.text).toMatch(/restarted 3 times within 120 s \(\d+ in all; last exit code 1\)/);
  // It goes on restarting within the window: nothing more is sent.
  const restartsThen = Number(loop.data.facts.restarts);
  await waitFor('another restart', async () => {
    const [c] = await berth.containers(fx.environmentId);
    return c && (await berth.docker.getContainer(c.Id).inspect()).RestartCount > restartsThen;
  }, 20_000, 250);
  await new Promise((r) => setTimeout(r, 1000));
  expect(delivered('/loops')).toHaveLength(1);
  await berth.api('DELETE', fx.base);
}, 60_000);

test('a container killed for going over its memory limit is told, and counted in the worker metrics', async () => {
  const project = await berth.api('POST', '/api/v1/projects', { name: 'p-hog' });
  expect(project.status).toBe(201);
  const app = await berth.api('POST', '/api/v1/apps', {
    project: 'p-hog',
    name: 'hog',
    image: HOG,
    port: 8080,
    resources: { memoryMb: 16 },
    healthCheck: { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 2000 },
  });
  expect(app.status, JSON.stringify(app.body)).toBe(201);
  const env = await berth.api('POST', '/api/v1/apps/hog/environments', { name: 'prod', drainSeconds: 0 });
  expect(env.status, JSON.stringify(env.body)).toBe(201);
  await channel('oom', 'hog', ['container.oom_killed']);
  await deployed({ app: 'hog', env: 'prod', environmentId: env.body.id, host: env.body.hosts[0], base: '/api/v1/apps/hog/environments/prod' });

  const oom = await waitFor('container.oom_killed', async () => delivered('/oom')[0], 30_000, 200);
  expect(oom.type).toBe('container.oom_killed');
  expect(oom.data.facts).toMatchObject({ app: 'hog', environment: 'prod', replica: '0' });
  expect(oom.data.text).toMatch(/over its memory limit/);
  const metric = await waitFor('the OOM kill counted', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return text.split('\n').find((l) => l.startsWith('berth_container_oom_kills_total{') && l.includes('app="hog"'));
  }, 10_000, 250);
  expect(metric).toMatch(/environment="prod".*replica="0".* [1-9]\d*$/);
  await berth.api('DELETE', '/api/v1/apps/hog/environments/prod');
}, 60_000);
