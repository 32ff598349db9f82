// Builds on a chosen build host, carried to the placed host through a real registry (Debian's
// docker-registry), pinned by digest. The installation's host (A) is a Docker daemon of this
// test's own, so its BuildKit cgroup is this test's to limit; the second host (B) is a daemon in
// a network namespace with its own worker (test/support/second-docker-host.ts). The registry
// listens on 127.0.0.1 of the machine (A pushes there) and, over the same storage, on 127.0.0.1
// inside B's namespace (B pulls there): both daemons treat loopback registries as insecure by
// default, so nothing of either daemon's configuration changes. A git app spread over both
// hosts (A and B) is built once on A, pushed, and both daemons pull the pinned digest.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { getRelease } from '../../db/queries/releases.js';
import { assertBuildHost } from '../../api/build-host.js';
import { assertSpread } from '../../api/environment-placement.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { startDockerDaemon, type DockerDaemon } from '../support/docker-daemon.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { startLoad, type LoadResult } from '../support/load.js';
import { signStandard } from '../../src/git-hosts/generic/standard-webhooks.js';
import { startRegistry, type Registry } from '../support/registry.js';
import { startSecondDockerHost, type SecondDockerHost } from '../support/second-docker-host.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const MEMORY_MB = 256;
const name = `bh${process.pid % 10000}`;
const cgroup = `/berth-${name}`;
const base = '/api/v1/apps/built/environments/prod';
const healthCheck = { path: '/healthz', intervalMs: 100, timeoutMs: 1000, startPeriodMs: 5000 };
let a: DockerDaemon;
let h2: SecondDockerHost;
let registry: Registry;
let berth: TestBerth;
let repo: LocalRepo;
let spreadRepo: LocalRepo;
const workers: ChildProcess[] = [];

const ok = async (method: string, path: string, body?: unknown) => {
  const res = await berth.api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};
const logs = async (id: string) => (await ok('GET', `/api/v1/deployments/${id}/logs`)).items as { phase: string | null; message: string }[];
const onA = (...args: string[]) => execFileSync('/usr/bin/docker', ['-H', `unix://${a.socket}`, ...args], { stdio: 'pipe' }).toString();
const body = async () => (await throughTraefik('built.prod.localhost')).body.trim();
/** The environment's running containers on B: their deployment and the image they were created from. */
const runningOnB = (environmentId: string) =>
  h2
    .docker('ps', '-q', '--filter', `label=berth.environment=${environmentId}`, '--filter', 'status=running')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((id) => h2.docker('inspect', '--format', '{{index .Config.Labels "berth.deployment"}} {{.Config.Image}}', id).trim());

/** What the registry itself says the tag's manifest digest is. */
async function registryDigest(repository: string, tag: string): Promise<string | null> {
  const path = repository.slice(registry.host.length + 1);
  const res = await fetch(`http://${registry.host}/v2/${path}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' },
  });
  return res.ok ? res.headers.get('docker-content-digest') : null;
}

/** Serves its version and, at /cgi-bin/host, the container's id (HOSTNAME): which daemon answered. */
const SPREAD_DOCKERFILE = `FROM berth-local/busybox:1
ARG RUN_ID=none
RUN echo "$RUN_ID" > /run-id && mkdir -p /www/cgi-bin && echo ok > /www/healthz
COPY host /www/cgi-bin/host
RUN chmod 755 /www/cgi-bin/host
COPY version /www/index.html
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
`;
const HOST_CGI = '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s\\n" "$HOSTNAME"\n';

beforeAll(async () => {
  repo = createLocalRepo();
  spreadRepo = createLocalRepo({ dockerfile: SPREAD_DOCKERFILE });
  a = await startDockerDaemon(join(inject('services').tempDir, `dockerd-${name}`), name, { cgroupParent: cgroup });
  a.load('berth-local/busybox:1');
  h2 = await startSecondDockerHost();
  registry = await startRegistry();
  await registry.serveIn(h2.netns, h2.inNamespace('/usr/bin/docker-registry'));
  berth = await startBerth({
    env: { DOCKER_SOCKET: a.socket, BERTH_BUILD_MEMORY_MB: String(MEMORY_MB), BERTH_BUILD_CPUS: '1', BERTH_BUILD_CGROUP: `${cgroup}/buildkit`, BERTH_BUILD_REGISTRY: `${registry.host}/builds` },
  });
  await ok('POST', '/api/v1/hosts', { id: 'h2', address: h2.address });
  // B builds nothing here: its worker leaves the cgroup of A's builds alone.
  workers.push(await berth.spawnWorker({ DOCKER_SOCKET: h2.socket, BERTH_HOST_ADDRESS: h2.address, BERTH_HOST_HEARTBEAT_SECONDS: '1', BERTH_BUILD_MEMORY_MB: '0', BERTH_BUILD_CPUS: '0' }, ['--host', 'h2']));
  await waitFor('h2 alive', async () => (await berth.api('GET', '/api/v1/hosts/h2')).body.alive === true, 30_000);
  await waitFor(`${berth.config.hostId} registered`, async () => (await berth.api('GET', `/api/v1/hosts/${berth.config.hostId}`)).status === 200, 30_000);
  await ok('POST', '/api/v1/projects', { name: 'builds' });
  await ok('POST', '/api/v1/apps', { project: 'builds', name: 'built', kind: 'git', port: 8080, healthCheck, git: { url: repo.url, buildArgs: { RUN_ID: randomUUID() }, buildHostId: berth.config.hostId } });
  await ok('POST', '/api/v1/apps/built/environments', { name: 'prod', drainSeconds: 0, retention: 1, hostId: 'h2' });
}, 240_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  try {
    await berth?.close();
  } finally {
    await h2?.stop();
    await registry?.stop();
    await a?.stop();
    repo?.remove();
    spreadRepo?.remove();
    for (const dir of [`memory${cgroup}/buildkit`, `memory${cgroup}`, `cpu${cgroup}/buildkit`, `cpu${cgroup}`, `${cgroup}/buildkit`, cgroup]) {
      try {
        rmdirSync(`/sys/fs/cgroup/${dir}`);
      } catch {
        // not made on this cgroup version, or already gone
      }
    }
  }
}, 120_000);

test('built on the installation’s host within its limits, pushed, and run on h2 by exactly the pushed digest; a rollback pulls it again', async () => {
  const v1 = repo.commit('v1');
  const started = Date.now();
  const first = await waitForDeployment(berth, (await ok('POST', `${base}/deployments`, {})).deploymentId, 240_000);
  expect(first.status, first.message).toBe('succeeded');
  const deployMs = Date.now() - started;
  const release = await getRelease(berth.database.db, first.releaseId);
  const pinned = release?.imagePinned as string;
  const repository = `${registry.host}/builds/${berth.config.instance}/built`;
  expect(pinned).toMatch(new RegExp(`^${repository.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`));
  // The registry holds that digest under the commit's tag; B runs it; A runs nothing of it.
  expect(await registryDigest(repository, v1)).toBe(pinned.split('@')[1]);
  const env = await ok('GET', base);
  expect(runningOnB(env.id)).toEqual([`${first.id} ${pinned}`]);
  expect(JSON.parse(h2.docker('image', 'inspect', '--format', '{{json .RepoDigests}}', pinned))).toContain(pinned);
  expect(onA('ps', '-aq', '--filter', `label=berth.environment=${env.id}`).trim()).toBe('');
  expect(await body()).toBe('v1');

  // The build ran on A under its limits, then was pushed; B pulled the digest.
  const lines = await logs(first.id);
  const limits = lines.find((l) => l.phase === 'build' && l.message.startsWith('builds on this engine share'));
  expect(limits?.message).toBe(`builds on this engine share ${MEMORY_MB} MiB (BERTH_BUILD_MEMORY_MB) and 1 CPU(s) (BERTH_BUILD_CPUS) (cgroup ${cgroup}/buildkit)`);
  const v2cgroup = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const memoryLimit = readFileSync(v2cgroup ? `/sys/fs/cgroup${cgroup}/buildkit/memory.max` : `/sys/fs/cgroup/memory${cgroup}/buildkit/memory.limit_in_bytes`, 'utf8');
  expect(Number(memoryLimit)).toBe(MEMORY_MB * 1024 * 1024);
  expect(lines.some((l) => l.phase === 'build' && l.message.startsWith(`pushed ${pinned} in `))).toBe(true);
  expect(lines.some((l) => l.phase === 'resolve' && l.message === `pulling ${pinned}`)).toBe(true);
  const built = lines.find((l) => /^built .* in \d+ ms/.test(l.message))?.message;
  const pushed = lines.find((l) => l.message.startsWith('pushed '))?.message;
  process.stdout.write(`build-host: ${built}; ${pushed?.replace(/sha256:[0-9a-f]+/, 'sha256:…')}; deploy to h2 in ${deployMs} ms\n`);

  // Another release (retention 1 prunes v1's container and the image B pulled for it), then a
  // rollback to v1: B pulls the same digest again.
  repo.commit('v2');
  const second = await waitForDeployment(berth, (await ok('POST', `${base}/deployments`, {})).deploymentId, 240_000);
  expect(second.status, second.message).toBe('succeeded');
  expect(await body()).toBe('v2');
  expect(() => h2.docker('image', 'inspect', pinned)).toThrow();
  const back = await waitForDeployment(berth, (await ok('POST', `${base}/rollback`, { releaseId: first.releaseId })).deploymentId, 120_000);
  expect(back.status, back.message).toBe('succeeded');
  expect(await body()).toBe('v1');
  expect(runningOnB(env.id)).toEqual([`${back.id} ${pinned}`]);
}, 600_000);

test('a build host short of free disk refuses the build with the figures; the live release keeps serving', async () => {
  // The same engine as A, registered as another host whose worker asks for more free space than any disk has.
  await ok('POST', '/api/v1/hosts', { id: 'tight', address: '127.0.0.1' });
  workers.push(await berth.spawnWorker({ BERTH_DISK_MIN_FREE_MB: '1073741824', BERTH_DISK_CLEANUP_FREE_MB: '0', BERTH_BUILD_MEMORY_MB: '0', BERTH_BUILD_CPUS: '0' }, ['--host', 'tight']));
  await waitFor('tight alive', async () => (await berth.api('GET', '/api/v1/hosts/tight')).body.alive === true, 30_000);
  const before = await ok('GET', base);
  await ok('PATCH', '/api/v1/apps/built', { git: { buildHostId: 'tight' } });
  const v3 = repo.commit('v3');
  const refused = await waitForDeployment(berth, (await ok('POST', `${base}/deployments`, {})).deploymentId, 120_000);
  expect(refused.status).toBe('failed');
  expect(refused.errorType).toBe('DiskSpaceLow');
  expect(refused.message).toMatch(/does not start: [\d.]+ (MiB|GiB) free on the Docker root \(.+\), below BERTH_DISK_MIN_FREE_MB \(1048576\.0 GiB\)/);
  expect((await ok('GET', base)).liveReleaseId).toBe(before.liveReleaseId);
  expect(await body()).toBe('v1');
  expect(await registryDigest(`${registry.host}/builds/${berth.config.instance}/built`, v3)).toBeNull();
  await ok('PATCH', '/api/v1/apps/built', { git: { buildHostId: null } });
}, 300_000);

test('a build host that is not one is refused (400) and changes nothing', async () => {
  const before = (await ok('GET', '/api/v1/apps/built')).git;
  for (const buildHostId of ['nowhere', 'Not A Host', 42]) {
    const res = await berth.api('PATCH', '/api/v1/apps/built', { git: { buildHostId, dockerfile: 'Other.Dockerfile' } });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
  }
  // A draining host takes no new builds.
  await ok('PATCH', '/api/v1/hosts/tight', { draining: true });
  const draining = await berth.api('PATCH', '/api/v1/apps/built', { git: { buildHostId: 'tight' } });
  expect(draining.status).toBe(400);
  expect(draining.body.error.message).toMatch(/host tight is draining/);
  const image = await berth.api('POST', '/api/v1/apps', { project: 'builds', name: 'imaged', image: 'berth-local/busybox:1', port: 8080, git: { url: repo.url, buildHostId: 'h2' } });
  expect(image.status).toBe(400);
  expect((await berth.api('GET', '/api/v1/apps/imaged')).status).toBe(404);
  expect((await ok('GET', '/api/v1/apps/built')).git).toEqual(before);
  // Without a registry, no image could leave the host that built it.
  await expect(assertBuildHost(berth.database.db, { builds: { ...berth.config.builds, registry: null } }, 'h2')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('BERTH_BUILD_REGISTRY') });
});

const runningImages = (docker: (...args: string[]) => string, environmentId: string) =>
  docker('ps', '-q', '--filter', `label=berth.environment=${environmentId}`, '--filter', 'status=running')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((id) => ({ id: id.slice(0, 12), line: docker('inspect', '--format', '{{index .Config.Labels "berth.deployment"}} {{.Config.Image}}', id).trim() }));
const onH2 = (...args: string[]) => h2.docker(...args);
const underLoad = () => startLoad({ url: inject('services').traefik.entryUrl, host: 'spreadgit.prod.localhost', ratePerSecond: 40, maxRequests: 8000, maxMs: 240_000, acceptBodies: ['v1', 'v2'] });
function loadReport(what: string, result: LoadResult, ms: number) {
  const sorted = [...result.latenciesMs].sort((x, y) => x - y);
  process.stdout.write(`spread-git: ${what}: ${result.sent} requests, ${result.failed} failed, p95 ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(1)} ms; ${ms} ms\n`);
}

test('a git app spread over both hosts: built once, pushed, each host runs the registry digest; deploy and rollback under load drop nothing', async () => {
  const own = berth.config.hostId;
  await ok('POST', '/api/v1/apps', { project: 'builds', name: 'spreadgit', kind: 'git', port: 8080, replicas: 2, healthCheck, git: { url: spreadRepo.url, buildArgs: { RUN_ID: randomUUID() } } });
  const env = await ok('POST', '/api/v1/apps/spreadgit/environments', { name: 'prod', drainSeconds: 1, retention: 1, spread: { count: 2, hosts: [own, 'h2'] } });
  const sbase = '/api/v1/apps/spreadgit/environments/prod';
  const repository = `${registry.host}/builds/${berth.config.instance}/spreadgit`;
  await ok('PUT', '/api/v1/apps/spreadgit/rules', { rules: [{ event: 'push', pattern: 'main', environment: 'prod' }] });
  const hook = await ok('POST', '/api/v1/apps/spreadgit/webhooks');
  /** A signed push of `sha` to main; the deployment it made. */
  const push = async (sha: string): Promise<string> => {
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const payload = JSON.stringify({ ref: 'refs/heads/main', sha });
    const res = await berth.app.request(hook.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandard(hook.secret, id, timestamp, payload) },
      body: payload,
    });
    expect(res.status).toBe(202);
    const delivery = ((await res.json()) as { delivery: string }).delivery;
    const done = await waitFor(`delivery ${delivery} handled`, async () => {
      const d = (await berth.api('GET', `/api/v1/github/deliveries/${delivery}`)).body;
      return d?.outcome && d.outcome !== 'pending' ? d : undefined;
    });
    expect(done.outcome, done.message).toBe('deployed');
    return done.results[0].deploymentId as string;
  };
  const v1 = spreadRepo.commit('v1', { files: { host: HOST_CGI } });
  const first = await waitForDeployment(berth, (await ok('POST', `${sbase}/deployments`, {})).deploymentId, 240_000);
  expect(first.status, first.message).toBe('succeeded');
  const pinned1 = (await getRelease(berth.database.db, first.releaseId))?.imagePinned as string;
  expect(pinned1.startsWith(`${repository}@sha256:`)).toBe(true);
  expect(await registryDigest(repository, v1)).toBe(pinned1.split('@')[1]);
  expect(runningImages(onA, env.id).map((c) => c.line)).toEqual([`${first.id} ${pinned1}`]);
  expect(runningImages(onH2, env.id).map((c) => c.line)).toEqual([`${first.id} ${pinned1}`]);
  // Built once: one build phase, on A; both hosts pulled the digest.
  const firstLogs = await logs(first.id);
  expect(firstLogs.filter((l) => /^built .* in \d+ ms/.test(l.message))).toHaveLength(1);
  expect(firstLogs.filter((l) => l.phase === 'resolve' && l.message === `pulling ${pinned1}`).length).toBeGreaterThanOrEqual(1);

  // v2, pushed through the app's webhook, under steady load through Traefik: nothing fails;
  // answers come from both daemons.
  const v2 = spreadRepo.commit('v2');
  const load = underLoad();
  const second = await waitForDeployment(berth, await push(v2), 240_000);
  await new Promise((r) => setTimeout(r, 500));
  const deployed = await load.stop();
  expect(second.status, second.message).toBe('succeeded');
  loadReport('webhook push of v2 (build, push, pull on 2 hosts) under load', deployed, Date.parse(second.finishedAt) - Date.parse(second.createdAt));
  expect(deployed.failures).toEqual([]);
  expect(deployed.failed).toBe(0);
  expect(deployed.bodies.get('v2')).toBeGreaterThan(0);
  const pinned2 = (await getRelease(berth.database.db, second.releaseId))?.imagePinned as string;
  expect(await registryDigest(repository, v2)).toBe(pinned2.split('@')[1]);
  const onBoth = [...runningImages(onA, env.id), ...runningImages(onH2, env.id)];
  expect(onBoth.map((c) => c.line)).toEqual([`${second.id} ${pinned2}`, `${second.id} ${pinned2}`]);
  const answered = new Set<string>();
  for (let i = 0; i < 16; i++) answered.add((await throughTraefik('spreadgit.prod.localhost', '/cgi-bin/host')).body.trim());
  expect([...answered].sort()).toEqual(onBoth.map((c) => c.id).sort());
  // Retention 1 pruned v1's containers on both hosts and the image h2 pulled (A keeps the image
  // it built under its build tag): the rollback pulls the digest on h2 again.
  expect(() => h2.docker('image', 'inspect', pinned1)).toThrow();

  const back = underLoad();
  const rolled = await waitForDeployment(berth, (await ok('POST', `${sbase}/rollback`, { releaseId: first.releaseId })).deploymentId, 240_000);
  await new Promise((r) => setTimeout(r, 500));
  const rolledLoad = await back.stop();
  expect(rolled.status, rolled.message).toBe('succeeded');
  loadReport('rollback to v1 (pull on 2 hosts) under load', rolledLoad, Date.parse(rolled.finishedAt) - Date.parse(rolled.createdAt));
  expect(rolledLoad.failures).toEqual([]);
  expect(rolledLoad.failed).toBe(0);
  expect(rolledLoad.bodies.get('v1')).toBeGreaterThan(0);
  expect(runningImages(onA, env.id).map((c) => c.line)).toEqual([`${rolled.id} ${pinned1}`]);
  expect(runningImages(onH2, env.id).map((c) => c.line)).toEqual([`${rolled.id} ${pinned1}`]);
  expect((await throughTraefik('spreadgit.prod.localhost')).body.trim()).toBe('v1');

  // Without a registry a git app's spread is refused (400) before anything is written.
  await expect(assertSpread(berth.database.db, { count: 2 }, { kind: 'git' }, own, null)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('BERTH_BUILD_REGISTRY') });
}, 900_000);
