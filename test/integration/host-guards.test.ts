// Host guards on the real Docker engine, Temporal, Traefik and PostgreSQL. Builds run within
// what builds may use: on a Docker daemon of this test's own (its BuildKit cgroup is its own),
// a build over its memory limit fails alone while a deploy beside it succeeds. And below the
// free-disk minimum of the Docker root, a build and a pull refuse to start and leave nothing
// behind, while the cleanup runs early.
import { EncryptionCodec } from '../../src/temporal/payload-codec.js';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { CLEANUP_WORKFLOW_ID } from '../../src/domain/workflow-ids.js';
import { LABEL } from '../../src/domain/labels.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { startDockerDaemon, type DockerDaemon } from '../support/docker-daemon.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { buildHello, imageExists, pushImage, removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const MEMORY_MB = 64;
/** A RUN step holding 256 MiB at once (dd's buffer). */
const HUNGRY_DOCKERFILE = `FROM berth-local/busybox:1
RUN dd if=/dev/zero of=/dev/null bs=256M count=1
COPY version /www/index.html
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
`;
const healthCheck = { path: '/', intervalMs: 100, startPeriodMs: 5000 };
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function ok(berth: TestBerth, method: string, path: string, body?: unknown) {
  const res = await berth.api(method, path, body);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body;
}

async function app(berth: TestBerth, name: string, spec: Record<string, unknown>) {
  await ok(berth, 'POST', '/api/v1/projects', { name: `p-${name}` });
  await ok(berth, 'POST', '/api/v1/apps', { project: `p-${name}`, name, port: 8080, healthCheck, ...spec });
  const env = await ok(berth, 'POST', `/api/v1/apps/${name}/environments`, { name: 'prod', drainSeconds: 0 });
  return { base: `/api/v1/apps/${name}/environments/prod`, environmentId: env.id as string, host: env.hosts[0] as string };
}

describe('builds within their limits', () => {
  test('a build over its memory limit fails alone; a deploy beside it succeeds', async () => {
    const name = `hg${process.pid % 10000}`;
    const cgroup = `/berth-${name}`;
    const image = `berth-test/guards-${name}:v1`;
    buildHello(image, { version: 'beside' });
    cleanups.push(() => removeImages(image));
    const dockerd: DockerDaemon = await startDockerDaemon(join(inject('services').tempDir, `dockerd-${name}`), name, { cgroupParent: cgroup });
    cleanups.push(() => dockerd.stop());
    dockerd.load('berth-local/busybox:1', image);
    const repo: LocalRepo = createLocalRepo({ dockerfile: HUNGRY_DOCKERFILE });
    cleanups.push(() => repo.remove());
    repo.commit('v1');
    const berth = await startBerth({
      env: { DOCKER_SOCKET: dockerd.socket, BERTH_BUILD_MEMORY_MB: String(MEMORY_MB), BERTH_BUILD_CPUS: '1', BERTH_BUILD_CGROUP: `${cgroup}/buildkit` },
    });
    cleanups.push(() => berth.close());

    const hungry = await app(berth, 'hungry', { kind: 'git', git: { url: repo.url } });
    const beside = await app(berth, 'beside', { image });
    const [built, deployed] = await Promise.all(
      [hungry, beside].map(async (a) => (await ok(berth, 'POST', `${a.base}/deployments`, {})).deploymentId as string),
    );
    const b = await waitForDeployment(berth, built as string, 120_000);
    const d = await waitForDeployment(berth, deployed as string, 120_000);
    process.stdout.write(`host guards: the hungry build ${b.status} (${b.errorType}: ${b.message}); the deploy beside it ${d.status}\n`);
    expect(d.status, d.message).toBe('succeeded');
    expect((await throughTraefik(beside.host)).body.trim()).toBe('beside');
    expect(b.status).toBe('failed');
    expect(b.errorType).toBe('BuildFailed');
    expect(b.message).toMatch(/stopped for memory: builds on this engine share 64 MiB \(BERTH_BUILD_MEMORY_MB\)/);
    // The limits stand on the daemon's BuildKit cgroup.
    expect(Number(readFileSync(`/sys/fs/cgroup/memory${cgroup}/buildkit/memory.limit_in_bytes`, 'utf8'))).toBe(MEMORY_MB * 1024 * 1024);
    expect(Number(readFileSync(`/sys/fs/cgroup/cpu${cgroup}/buildkit/cpu.cfs_quota_us`, 'utf8'))).toBe(100_000);
    expect((await berth.api('GET', hungry.base)).body.liveReleaseId).toBeNull();
  }, 300_000);
});

describe('a Docker root short of disk', () => {
  let berth: TestBerth;
  let repo: LocalRepo;

  test('a build and a pull refuse to start and leave nothing behind; the cleanup runs early', async () => {
    const s = statfsSync('/var/lib/docker');
    // Above what is free: every build and pull refuses, and the disk watch finds it low.
    const minFreeMb = Math.ceil((s.bavail * s.bsize) / 1024 / 1024) + 1024;
    berth = await startBerth({
      env: { BERTH_DISK_MIN_FREE_MB: String(minFreeMb), BERTH_DISK_CLEANUP_FREE_MB: String(minFreeMb), BERTH_DISK_CHECK_SECONDS: '1', BERTH_BUILD_CACHE_MAX_AGE_HOURS: '8760' },
    });
    cleanups.push(() => berth.close());
    repo = createLocalRepo();
    cleanups.push(() => repo.remove());
    repo.commit('v1');
    const registry = inject('services').registryHost;
    const remote = `${registry}/guards/hello:${process.pid}`;
    buildHello(remote, { version: 'pulled' });
    pushImage(remote);
    removeImages(remote);
    cleanups.push(() => removeImages(remote));

    const git = await app(berth, 'squeezed', { kind: 'git', git: { url: repo.url } });
    const pulled = await app(berth, 'unpulled', { image: remote });
    const ids = await Promise.all([git, pulled].map(async (a) => (await ok(berth, 'POST', `${a.base}/deployments`, {})).deploymentId as string));
    for (const [i, id] of ids.entries()) {
      const d = await waitForDeployment(berth, id, 60_000);
      expect(d.status).toBe('failed');
      expect(d.errorType).toBe('DiskSpaceLow');
      expect(d.message).toMatch(i === 0 ? /^the build does not start: .* free on the Docker root \(\/var\/lib\/docker\), below BERTH_DISK_MIN_FREE_MB/ : /^the pull of .* does not start/);
    }
    // Nothing half-made: no checkout, no image, no container, no release.
    expect(existsSync(join(berth.config.builds.workspacesDir, ids[0] as string))).toBe(false);
    expect(imageExists(remote)).toBe(false);
    const appIds = await Promise.all(['squeezed', 'unpulled'].map(async (n) => (await berth.api('GET', `/api/v1/apps/${n}`)).body.id as string));
    for (const appId of appIds) expect(await berth.docker.listImages({ filters: { label: [`${LABEL.app}=${appId}`] } })).toEqual([]);
    for (const a of [git, pulled]) {
      expect(await berth.containers(a.environmentId)).toEqual([]);
      expect((await berth.api('GET', `${a.base}/releases`)).body.items).toEqual([]);
    }

    // The disk watch started the cleanup (the schedule's workflow) early, saying why.
    const started = await waitFor('an early cleanup', async () => {
      const handle = berth.temporal.workflow.getHandle(CLEANUP_WORKFLOW_ID);
      const history = await handle.fetchHistory();
      const stored = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      // Stored encrypted (src/temporal/payload-codec.ts): decoded with Berth's key ring.
      const input = stored ? (await new EncryptionCodec(berth.ring).decode([stored]))[0]?.data : undefined;
      return input && JSON.parse(Buffer.from(input).toString()).trigger === 'disk-low' ? await handle.result() : undefined;
    }, 30_000, 200);
    expect(started.dryRun).toBe(false);
  }, 300_000);
});
