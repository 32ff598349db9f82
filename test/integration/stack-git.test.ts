// Stacks whose compose file comes from their git repository, on the real Docker Swarm, Temporal,
// Traefik and PostgreSQL, with a local repository behind the GitHub stand-in: a stack of web and
// worker built from the repository and api from an image deploys from a ref through the API;
// a push changing only web's files updates web alone (worker rebuilds from cache to the same
// image) and leaves the other Swarm services as they were;
// a build context leading out of the repository fails the deployment naming the service and
// key, and changes nothing that runs.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtServiceImageTag } from '../../src/domain/git-build.js';
import { LABEL } from '../../src/domain/labels.js';
import { GIT_STACK_PHASES } from '../../src/domain/phases.js';
import { stackNamespace } from '../../src/domain/stack.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import type { TestBerth } from '../support/berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { ok as call, startGitHubBerth } from '../support/github-berth.js';
import type { GitHubStandIn } from '../support/github-stand-in.js';
import { buildHello, imageExists, removeImages } from '../support/images.js';
import { swarmObjects } from '../support/swarm.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { pushPayload, sendDelivery } from '../support/webhooks.js';

const INSTALLATION = 9301;
const REPOSITORY = 'octo-org/stackshop';
const APP = 'gstack';
const API_IMAGE = 'berth-test/stack-git-api:1';

// RUN_ID makes every run's first build cold: no layer of it is in the engine's cache yet.
const RUN_ID = randomUUID();
const COMPOSE = (context: string) => `
services:
  web:
    build:
      context: ${context}
      args: { GREETING: hi, RUN_ID: ${RUN_ID} }
    depends_on:
      api: { condition: service_healthy }
    x-berth: { port: 8080, path: /healthz }
  worker:
    build: ./worker
  api:
    image: \${API_IMAGE:?set API_IMAGE}
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
      interval: 200ms
      timeout: 1s
      retries: 2
      start_period: 3s
`;

const WEB_DOCKERFILE = `FROM berth-local/busybox:1
ARG GREETING=hello
ARG RUN_ID=none
RUN echo "$RUN_ID" > /run-id
RUN mkdir -p /www && echo ok > /www/healthz && echo "$GREETING" > /www/greeting
COPY index.html /www/index.html
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
`;

// A second built service whose files never change: its rebuilds come from cache to the same image.
const WORKER_DOCKERFILE = `FROM berth-local/busybox:1
COPY job /job
CMD ["httpd", "-f", "-p", "8080", "-h", "/"]
`;

let berth: TestBerth;
let github: GitHubStandIn;
let repo: LocalRepo;
let environmentId: string;
const builtImages: string[] = [];
const host = `${APP}.prod.localhost`;
const base = `/api/v1/apps/${APP}/environments/prod`;

beforeAll(async () => {
  buildHello(API_IMAGE, { version: 'a1' });
  repo = createLocalRepo();
  ({ berth, github } = await startGitHubBerth({ installationId: INSTALLATION, repositories: [{ id: 701, full_name: REPOSITORY, clone_url: repo.url }] }));
  const ok = (method: string, path: string, body?: unknown) => call(berth, method, path, body);
  await ok('POST', '/api/v1/projects', { name: 'shop' });
  await ok('POST', '/api/v1/apps', { project: 'shop', name: APP, kind: 'stack', git: { repository: REPOSITORY } });
  environmentId = (await ok('POST', `/api/v1/apps/${APP}/environments`, { name: 'prod', drainSeconds: 0 })).id;
  await ok('PUT', `${base}/variables`, { variables: { API_IMAGE } });
  await ok('PUT', `/api/v1/apps/${APP}/rules`, { rules: [{ event: 'push', pattern: 'main', environment: 'prod' }] });
});

afterAll(async () => {
  await berth?.close();
  await github?.close();
  repo?.remove();
  removeImages(API_IMAGE, ...builtImages);
});

const imageId = (tag: string) => execFileSync('/usr/bin/docker', ['image', 'inspect', '-f', '{{.Id}}', tag]).toString().trim();
const logsOf = async (id: string) => ((await berth.api('GET', `/api/v1/deployments/${id}/logs`)).body.items as { message: string }[]).map((l) => l.message);
const web = async (path = '/') => (await throughTraefik(host, path)).body.trim();

interface SwarmService {
  name: string;
  image: string;
  specHash: string;
  version: number;
  deployment: string;
}

async function services(): Promise<Record<string, SwarmService>> {
  const { services: list } = await swarmObjects(berth.docker, berth.config.instance, { [LABEL.stack]: stackNamespace(environmentId) });
  const out: Record<string, SwarmService> = {};
  for (const s of list) {
    const info = await berth.docker.getService(s.name).inspect();
    out[s.labels[LABEL.service] as string] = {
      name: s.name,
      image: s.image,
      specHash: s.labels[LABEL.specHash] as string,
      version: info.Version.Index,
      deployment: s.labels[LABEL.deployment] as string,
    };
  }
  return out;
}

/** The workflow discards the checkout as its last step, just after the outcome is recorded. */
async function checkoutDiscarded(deploymentId: string): Promise<void> {
  await waitFor(`the checkout of ${deploymentId} to be discarded`, async () => !(await readdir(berth.config.builds.workspacesDir).catch(() => [] as string[])).includes(deploymentId), 15_000);
}

/** The commit statuses GitHub was sent for one commit, waiting until the last one is final. */
const commitStates = (sha: string) =>
  waitFor(`the final commit status of ${sha}`, async () => {
    const states = github.calls.filter((c) => c.method === 'POST' && c.path === `/repos/${REPOSITORY}/statuses/${sha}`).map((c) => c.body?.state as string);
    return states.length > 1 ? states : undefined;
  });

const phase = (d: { phases: { phase: string; outcome: string; message: string | null }[] }, name: string) => d.phases.find((p) => p.phase === name);

describe('git-backed stacks', () => {
  let live: Record<string, SwarmService>;

  test('a ref deployed through the API: web is built from the repository, api runs its image, both healthy, web answers through Traefik', async () => {
    const sha = repo.commit('v1', {
      files: { 'compose.yml': COMPOSE('./web'), 'web/Dockerfile': WEB_DOCKERFILE, 'web/index.html': 'w1\n', 'worker/Dockerfile': WORKER_DOCKERFILE, 'worker/job': 'job\n' },
    });
    const tag = builtServiceImageTag(berth.config.instance, APP, 'web', sha);
    builtImages.push(tag, builtServiceImageTag(berth.config.instance, APP, 'worker', sha));
    const started = Date.now();
    const res = await berth.api('POST', `${base}/deployments`, { ref: 'main' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const d = await waitForDeployment(berth, res.body.deploymentId, 240_000);
    const took = Date.now() - started;
    expect(d.status, d.message).toBe('succeeded');
    expect(d.phases.map((p: { phase: string }) => p.phase)).toEqual([...GIT_STACK_PHASES]);
    expect(d.request.sha).toBe(sha);
    expect(phase(d, 'build')?.message).toMatch(new RegExp(`^${sha.slice(0, 12)}: web in \\d+ ms \\(0 of 3 steps cached\\), worker in \\d+ ms \\(\\d of 1 steps cached\\)$`));
    for (const s of d.services) expect(s.phases.every((p: { outcome: string }) => p.outcome === 'succeeded' || p.outcome === 'skipped'), s.service).toBe(true);

    expect(await web()).toBe('w1');
    expect(await web('/greeting')).toBe('hi');
    live = await services();
    expect(Object.keys(live).sort()).toEqual(['api', 'web', 'worker']);
    expect(live.web?.image).toBe(imageId(tag));
    expect(live.worker?.image).toBe(imageId(builtServiceImageTag(berth.config.instance, APP, 'worker', sha)));
    expect(live.api?.image).toBe(imageId(API_IMAGE));

    const logs = await logsOf(d.id);
    expect(logs).toContain(`building ${tag}`);
    expect(logs.some((l) => l.startsWith(`built ${tag} in `))).toBe(true);
    await checkoutDiscarded(d.id);
    const releases = await berth.api('GET', `${base}/releases`);
    expect(releases.body.items[0].imageRef).toBe(`stack@${sha}`);
    // A GitHub repository the installation reaches hears about the deployment as for a git app.
    expect(await commitStates(sha)).toEqual(['pending', 'success']);
    process.stdout.write(`stack-git: cold deploy (fetch, build web and worker, api, worker and web rolled out) ${took} ms; build ${phase(d, 'build')?.message}\n`);
  });

  test('a push changing only web’s files updates web alone; worker (rebuilt from cache) and api are untouched', async () => {
    const sha = repo.commit('v2', { files: { 'web/index.html': 'w2\n' } });
    builtImages.push(builtServiceImageTag(berth.config.instance, APP, 'web', sha), builtServiceImageTag(berth.config.instance, APP, 'worker', sha));
    const started = Date.now();
    const payload = pushPayload({ repository: REPOSITORY, branch: 'main', sha, installationId: INSTALLATION, files: ['web/index.html'] });
    const sent = await sendDelivery(berth, { event: 'push', payload, secret: github.app.webhookSecret });
    expect(sent.status).toBe(202);
    const delivery = await waitFor('the push to be processed', async () => {
      const r = await berth.api('GET', `/api/v1/github/deliveries/${sent.deliveryId}`);
      return r.body?.outcome && r.body.outcome !== 'pending' ? r.body : undefined;
    });
    expect(delivery.outcome).toBe('deployed');
    expect(delivery.results[0]).toMatchObject({ app: APP, environment: 'prod', rule: 'push main → prod' });
    const d = await waitForDeployment(berth, delivery.results[0].deploymentId, 240_000);
    const took = Date.now() - started;
    expect(d.status, d.message).toBe('succeeded');
    expect(d.request.sha).toBe(sha);
    // Both RUN steps came from the cache; only the changed file's step ran. Worker's one step was cached.
    expect(phase(d, 'build')?.message).toMatch(/web in \d+ ms \(2 of 3 steps cached\), worker in \d+ ms \(1 of 1 steps cached\)$/);

    expect(await web()).toBe('w2');
    const now = await services();
    expect(now.api).toEqual(live.api);
    // No commit in the built image: the same files build to the same image, so the same spec.
    expect(now.worker).toEqual(live.worker);
    expect(now.web?.specHash).not.toBe(live.web?.specHash);
    expect(now.web?.deployment).toBe(d.id);
    for (const name of ['api', 'worker']) {
      const update = d.services.find((s: { service: string }) => s.service === name).phases.find((p: { phase: string }) => p.phase === 'update');
      expect(update.message, name).toMatch(/unchanged/);
    }
    expect(await commitStates(sha)).toEqual(['pending', 'success']);
    live = now;
    process.stdout.write(`stack-git: push changing web only (fetch, rebuilds from cache, web rolled out) ${took} ms; build ${phase(d, 'build')?.message}\n`);
  });

  test('a build context leading out of the repository fails the deployment naming the service and key; nothing changes', async () => {
    const sha = repo.commit('v3', { files: { 'compose.yml': COMPOSE('../'), 'web/index.html': 'w3\n' } });
    const tag = builtServiceImageTag(berth.config.instance, APP, 'web', sha);
    builtImages.push(tag);
    const res = await berth.api('POST', `${base}/deployments`, { sha });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const d = await waitForDeployment(berth, res.body.deploymentId, 120_000);
    expect(d.status).toBe('failed');
    expect(d.message).toMatch(/services\.web\.build\.context/);
    expect(d.message).toMatch(/\.\.\/ leads outside the repository/);
    expect(d.phases.map((p: { phase: string }) => p.phase)).toEqual(['queued', 'build']);
    expect(phase(d, 'build')?.outcome).toBe('failed');
    expect(d.services).toEqual([]);

    expect(imageExists(tag)).toBe(false);
    expect(await commitStates(sha)).toEqual(['pending', 'failure']);
    expect(await services()).toEqual(live);
    expect(await web()).toBe('w2');
    await checkoutDiscarded(d.id);
  });

  test('a context that is a symlink out of the checkout is refused when the build reads it', async () => {
    // The path is inside the repository as written; only the checkout shows where it leads.
    symlinkSync('/', join(repo.dir, 'web-link'));
    const sha = repo.commit('v4', { files: { 'compose.yml': COMPOSE('./web-link') } });
    builtImages.push(builtServiceImageTag(berth.config.instance, APP, 'web', sha));
    const res = await berth.api('POST', `${base}/deployments`, { sha });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const d = await waitForDeployment(berth, res.body.deploymentId, 120_000);
    expect(d.status).toBe('failed');
    expect(d.message).toMatch(/services\.web\.build\.context web-link leads outside the repository/);
    expect(d.phases.map((p: { phase: string }) => p.phase)).toEqual(['queued', 'build']);
    expect(await services()).toEqual(live);
    expect(await web()).toBe('w2');
    await checkoutDiscarded(d.id);
  });

  test('every workflow history of these deployments replays deterministically', async () => {
    const histories = [];
    for await (const info of berth.temporal.workflow.list()) {
      if (!['environmentLane', 'rolloutStack', 'rolloutStackService', 'receiveDelivery'].includes(info.type)) continue;
      histories.push({ workflowId: info.workflowId, type: info.type, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
    }
    expect(histories.filter((h) => h.type === 'rolloutStack')).toHaveLength(4);
    const errors = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: berth.dataConverter, replayName: 'berth-stack-git-replay' }, histories)) {
      if (result.error) errors.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(errors).toEqual([]);
  });
});
