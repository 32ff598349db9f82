// Builds from source, end to end on the real Docker engine, Temporal, PostgreSQL and Traefik,
// with a local git repository behind a local stand-in for GitHub: a signed push deploys the
// commit (fetched with the installation's token), GitHub hears exactly the statuses it should,
// a one-file change reuses the layer cache, build secrets stay out of layers, logs and
// histories, a redelivery deploys nothing new, and cancelling one build leaves the other alone.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GIT_PHASES } from '../../src/domain/phases.js';
import { builtImageTag } from '../../src/domain/git-build.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import type { TestBerth } from '../support/berth.js';
import { ok as call, startGitHubBerth } from '../support/github-berth.js';
import { APP_DOCKERFILE, createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import type { GitHubStandIn } from '../support/github-stand-in.js';
import { historyPayloadText } from '../support/history-text.js';
import { removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { pushPayload, sendDelivery } from '../support/webhooks.js';

const INSTALLATION = 9201;
const REPOSITORY = 'octo-org/shop';
const SECRET = 'sup3r-s3cret-t0ken-value';
let berth: TestBerth;
let github: GitHubStandIn;
let repo: LocalRepo;
let slowRepo: LocalRepo;
const builtImages: string[] = [];

beforeAll(async () => {
  repo = createLocalRepo();
  slowRepo = createLocalRepo({ dockerfile: 'FROM berth-local/busybox:1\nRUN sleep 60\nCOPY version /version\nCMD ["httpd","-f","-p","8080"]\n' });
  ({ berth, github } = await startGitHubBerth({ installationId: INSTALLATION, repositories: [{ id: 601, full_name: REPOSITORY, clone_url: repo.url }] }));
  const ok = (method: string, path: string, body?: unknown) => call(berth, method, path, body);
  await ok('POST', '/api/v1/projects', { name: 'shop' });
  const healthCheck = { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 2000 };
  await ok('POST', '/api/v1/apps', { project: 'shop', name: 'shop', kind: 'git', port: 8080, healthCheck, git: { repository: REPOSITORY, buildArgs: { GREETING: 'hi', RUN_ID: randomUUID() } } });
  await ok('POST', '/api/v1/apps/shop/environments', { name: 'prod', drainSeconds: 0 });
  await ok('PUT', '/api/v1/apps/shop/rules', {
    rules: [
      { event: 'push', pattern: 'main', environment: 'prod' },
      { event: 'tag', pattern: 'v*', environment: 'prod' },
    ],
  });
  await ok('PUT', '/api/v1/apps/shop/build-secrets/api_token', { value: SECRET });
  await ok('POST', '/api/v1/apps', { project: 'shop', name: 'slow', kind: 'git', port: 8080, healthCheck, git: { url: slowRepo.url } });
  await ok('POST', '/api/v1/apps/slow/environments', { name: 'prod', drainSeconds: 0 });
});

afterAll(async () => {
  await berth?.close();
  await github?.close();
  repo?.remove();
  slowRepo?.remove();
  removeImages(...builtImages);
});

const processed = (id: string) =>
  waitFor(`delivery ${id} to be processed`, async () => {
    const res = await berth.api('GET', `/api/v1/github/deliveries/${id}`);
    return res.body?.outcome && res.body.outcome !== 'pending' ? res.body : undefined;
  });

async function pushCommit(version: string, options: { branch?: string; deliveryId?: string } = {}) {
  const sha = repo.commit(version, { branch: options.branch });
  builtImages.push(builtImageTag(berth.config.instance, 'shop', sha));
  const payload = pushPayload({ repository: REPOSITORY, branch: options.branch ?? 'main', sha, installationId: INSTALLATION, files: ['version'] });
  const sent = await sendDelivery(berth, { event: 'push', payload, secret: github.app.webhookSecret, deliveryId: options.deliveryId });
  expect(sent.status).toBe(202);
  return { sha, sent, payload, delivery: await processed(sent.deliveryId) };
}

const logsOf = async (id: string) => ((await berth.api('GET', `/api/v1/deployments/${id}/logs`)).body.items as { message: string }[]).map((l) => l.message);
const builtLine = (logs: string[]) => logs.find((l) => /^built .* steps cached\)$/.test(l)) as string;
const cachedOf = (line: string) => line.match(/\((\d+) of (\d+) steps cached\)/)?.slice(1).map(Number) as [number, number];
const msOf = (line: string) => Number(line.match(/in (\d+) ms/)?.[1]);

describe('builds from source', () => {
  const deployed: string[] = [];

  test('a signed push to main builds the commit, deploys it, and reports to GitHub in order', async () => {
    const { sha, delivery } = await pushCommit('v1');
    expect(delivery.outcome).toBe('deployed');
    expect(delivery.results).toHaveLength(1);
    expect(delivery.results[0]).toMatchObject({ app: 'shop', environment: 'prod', rule: 'push main → prod' });
    const id = delivery.results[0].deploymentId as string;
    deployed.push(id);
    const d = await waitForDeployment(berth, id, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.phases.map((p: { phase: string }) => p.phase)).toEqual([...GIT_PHASES]);
    expect(d.request.sha).toBe(sha);
    expect((await throughTraefik('shop.prod.localhost')).body.trim()).toBe('v1');
    expect((await throughTraefik('shop.prod.localhost', '/greeting')).body.trim()).toBe('hi');

    // The clone used the installation's token, minted with the app's JWT.
    expect(github.calls.some((c) => c.path === `/app/installations/${INSTALLATION}/access_tokens` && c.auth === 'jwt')).toBe(true);
    // The final report follows the deployment's own record: wait for it.
    await waitFor('the final commit status', async () => github.feedbackCalls().includes('commit-status success'), 30_000);
    const feedback = github.calls.filter((c) => c.method === 'POST' && (c.path.includes(sha) || /\/deployments/.test(c.path)));
    expect(github.feedbackCalls()).toEqual(['commit-status pending', 'deployment prod', 'deployment-status in_progress', 'deployment-status success', 'commit-status success']);
    expect(feedback.every((c) => c.auth === 'token')).toBe(true);
    // A first try makes the Deployment without looking for one (only a retry can have made it).
    expect(github.calls.some((c) => c.method === 'GET' && c.path.endsWith('/deployments'))).toBe(false);
    const [pending, created, , done] = feedback;
    expect(pending?.path).toBe(`/repos/${REPOSITORY}/statuses/${sha}`);
    expect(pending?.body).toMatchObject({ state: 'pending', context: 'berth/shop/prod', target_url: `${berth.config.api.publicUrl}/api/v1/deployments/${id}` });
    expect(created?.body).toMatchObject({ ref: sha, environment: 'prod', production_environment: true, transient_environment: false, required_contexts: [] });
    expect(done?.body).toMatchObject({
      state: 'success',
      log_url: `${berth.config.api.publicUrl}/api/v1/deployments/${id}/logs`,
      environment_url: `http://shop.prod.localhost:${berth.config.traefik.port}`,
    });
  });

  test('the build secret reached the build but no layer, log line or API answer', async () => {
    const logs = await logsOf(deployed[0] as string);
    expect(logs.some((l) => l.includes(`token has ${SECRET.length} bytes`))).toBe(true);
    expect(logs.some((l) => l.includes('token is [redacted]'))).toBe(true);
    expect(logs.join('\n')).not.toContain(SECRET);
    const dir = mkdtempSync(join(tmpdir(), 'berth-save-'));
    try {
      const image = builtImages[0] as string;
      execFileSync('/usr/bin/docker', ['save', '-o', join(dir, 'image.tar'), image]);
      expect(readFileSync(join(dir, 'image.tar')).includes(SECRET)).toBe(false);
      expect(execFileSync('/usr/bin/docker', ['history', '--no-trunc', image]).toString()).not.toContain(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const listed = await berth.api('GET', '/api/v1/apps/shop/build-secrets');
    expect(listed.body.items.map((i: { name: string }) => i.name)).toEqual(['api_token']);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
  });

  test('a commit that changes one file reuses the cached layers; the same delivery again deploys nothing', async () => {
    const first = builtLine(await logsOf(deployed[0] as string));
    const { delivery, payload, sent } = await pushCommit('v2');
    const id = delivery.results[0].deploymentId as string;
    deployed.push(id);
    expect((await waitForDeployment(berth, id, 180_000)).status).toBe('succeeded');
    expect((await throughTraefik('shop.prod.localhost')).body.trim()).toBe('v2');
    const second = builtLine(await logsOf(id));
    const [cached, steps] = cachedOf(second);
    // Three RUN steps and COPY: the RUN steps come from the cache, only COPY runs again.
    expect(steps).toBe(4);
    expect(cached).toBe(3);
    expect(cachedOf(first)[0]).toBe(0);
    console.log(`build from scratch ${msOf(first)} ms (${cachedOf(first)[0]}/4 steps cached), one file changed ${msOf(second)} ms (${cached}/4 cached)`);

    const again = await sendDelivery(berth, { event: 'push', payload, secret: github.app.webhookSecret, deliveryId: sent.deliveryId });
    expect(again.body.status).toBe('duplicate');
    await new Promise((r) => setTimeout(r, 1500));
    const list = await berth.api('GET', '/api/v1/apps/shop/environments/prod/deployments');
    expect(list.body.items.map((d: { id: string }) => d.id).sort()).toEqual([...deployed].sort());
  });

  test('a push no rule matches is recorded with the reasons and deploys nothing', async () => {
    const { delivery } = await pushCommit('feature', { branch: 'feature/login' });
    expect(delivery.outcome).toBe('no-match');
    expect(delivery.results[0].note).toMatch(/branch feature\/login does not match main/);
    const dry = await berth.api('POST', '/api/v1/apps/shop/rules/match', { event: 'push', ref: 'refs/heads/feature/login' });
    expect(dry.body.matched).toBe(false);
    const list = await berth.api('GET', '/api/v1/apps/shop/environments/prod/deployments');
    expect(list.body.items).toHaveLength(deployed.length);
  });

  test('a commit that does not build fails the deployment, v2 keeps serving, GitHub hears failure', async () => {
    repo.commit('broken', { branch: 'main', files: { Dockerfile: 'FROM berth-local/busybox:1\nRUN echo about to fail && exit 3\n' } });
    github.calls.length = 0;
    const sha = repo.commit('broken-2', { branch: 'main' });
    const payload = pushPayload({ repository: REPOSITORY, branch: 'main', sha, installationId: INSTALLATION });
    const delivery = await processed((await sendDelivery(berth, { event: 'push', payload, secret: github.app.webhookSecret })).deliveryId);
    const d = await waitForDeployment(berth, delivery.results[0].deploymentId, 180_000);
    expect(d.status).toBe('failed');
    expect(d.errorType).toBe('BuildFailed');
    expect(d.message).toMatch(/exited with 1|exit code: 3|about to fail/);
    expect((await throughTraefik('shop.prod.localhost')).body.trim()).toBe('v2');
    await waitFor('the failure to reach GitHub', async () => github.feedbackCalls().at(-1) === 'commit-status failure');
    expect(github.feedbackCalls()).toEqual(['commit-status pending', 'deployment prod', 'deployment-status in_progress', 'deployment-status failure', 'commit-status failure']);
    repo.commit('v3', { branch: 'main', files: { Dockerfile: APP_DOCKERFILE } });
  });

  test('cancelling one build stops it at once; a build running beside it finishes', async () => {
    slowRepo.commit('slow');
    const slow = await berth.api('POST', '/api/v1/apps/slow/environments/prod/deployments', { ref: 'main' });
    expect(slow.status, JSON.stringify(slow.body)).toBe(202);
    const fast = await berth.api('POST', '/api/v1/apps/shop/environments/prod/deployments', { ref: 'main' });
    expect(fast.status, JSON.stringify(fast.body)).toBe(202);
    await waitFor('the slow build to run', async () => (await logsOf(slow.body.deploymentId)).some((l) => /RUN sleep 60/.test(l)), 60_000);
    const t0 = Date.now();
    expect((await berth.api('POST', `/api/v1/deployments/${slow.body.deploymentId}/cancel`)).status).toBe(202);
    const cancelled = await waitForDeployment(berth, slow.body.deploymentId, 60_000);
    expect(cancelled.status).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(cancelled.phases.find((p: { phase: string }) => p.phase === 'build').outcome).toBe('cancelled');
    const built = await waitForDeployment(berth, fast.body.deploymentId, 180_000);
    expect(built.status, built.message).toBe('succeeded');
    builtImages.push(builtImageTag(berth.config.instance, 'shop', built.request.sha));
    expect((await throughTraefik('shop.prod.localhost')).body.trim()).toBe('v3');
    // No docker build of the slow app is left running.
    const ps = execFileSync('ps', ['-eo', 'args']).toString();
    expect(ps).not.toContain(`berth-${berth.config.instance}/slow:`);
  });

  test('images Berth built are pruned like pulled ones once no retained release runs them', async () => {
    const earlier = [...new Set(builtImages.filter((t) => t.includes('/shop:')))];
    const present = async (tag: string) => (await berth.docker.getImage(tag).inspect().then(() => true, () => false));
    const live = builtImages.at(-1) as string;
    expect(await present(live)).toBe(true);
    expect((await Promise.all(earlier.filter((t) => t !== live).map(present))).some(Boolean)).toBe(true);
    expect((await berth.api('PATCH', '/api/v1/apps/shop/environments/prod', { retention: 1 })).status).toBe(200);
    // Reconcile (its schedule, here run at once) removes the containers retention no longer
    // keeps, and the images Berth built for them with them; the live release's stays.
    const reconciled = await berth.api('POST', '/api/v1/reconcile', { wait: true });
    expect(reconciled.status, JSON.stringify(reconciled.body)).toBe(200);
    expect(await Promise.all(earlier.map(present))).toEqual(earlier.map((t) => t === live));
    const sha = repo.commit('v4', { branch: 'main' });
    builtImages.push(builtImageTag(berth.config.instance, 'shop', sha));
    const res = await berth.api('POST', '/api/v1/apps/shop/environments/prod/deployments', { sha });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const d = await waitForDeployment(berth, res.body.deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    expect((await throughTraefik('shop.prod.localhost')).body.trim()).toBe('v4');
    expect(await present(builtImageTag(berth.config.instance, 'shop', sha))).toBe(true);
    // The deploy's own prune removed the image of the release it replaced. On a failure, the
    // deployment's phases say whether its cleanup ran ("cleanup incomplete: …").
    const detail = await berth.api('GET', `/api/v1/deployments/${res.body.deploymentId}`);
    expect(detail.body.phases.at(-1).message).toBe('removed 1 container(s) and 1 image(s)');
    expect(await Promise.all(earlier.map(present)), JSON.stringify(detail.body.phases)).toEqual(earlier.map(() => false));
  });

  test('a GitHub Deployment whose answer was lost is found again, not made twice', async () => {
    github.calls.length = 0;
    github.loseNextDeploymentAnswer();
    const { sha, delivery } = await pushCommit('v5');
    const id = delivery.results[0].deploymentId as string;
    expect((await waitForDeployment(berth, id, 180_000)).status).toBe('succeeded');
    const made = github.deployments.filter((d) => (d.payload as { berthDeploymentId?: string }).berthDeploymentId === id);
    expect(made.map((d) => d.sha)).toEqual([sha]);
    // The retry asked GitHub for it instead of making another, and reported on the one made.
    const states = () =>
      github.calls.filter((c) => c.method === 'POST' && c.path === `/repos/${REPOSITORY}/deployments/${made[0]?.id}/statuses`).map((c) => c.body.state);
    await waitFor('the success to reach GitHub', async () => states().includes('success'));
    expect(states()).toEqual(['in_progress', 'success']);
    expect(github.feedbackCalls().filter((c) => c.startsWith('deployment '))).toEqual(['deployment prod']);
    expect(github.calls.some((c) => c.method === 'GET' && c.path.endsWith('/deployments') && c.auth === 'token')).toBe(true);
  });

  test('a tag push matching a tag rule deploys that tag; deleting the tag deploys nothing', async () => {
    const sha = repo.commit('v6', { branch: 'release' });
    repo.tag('v6.0.0');
    builtImages.push(builtImageTag(berth.config.instance, 'shop', sha));
    const payload = pushPayload({ repository: REPOSITORY, tag: 'v6.0.0', sha, installationId: INSTALLATION, files: ['version'] });
    const delivery = await processed((await sendDelivery(berth, { event: 'push', payload, secret: github.app.webhookSecret })).deliveryId);
    expect(delivery.outcome).toBe('deployed');
    expect(delivery.results[0]).toMatchObject({ app: 'shop', environment: 'prod', rule: 'tag v* → prod' });
    const d = await waitForDeployment(berth, delivery.results[0].deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.request.sha).toBe(sha);
    expect((await throughTraefik('shop.prod.localhost')).body.trim()).toBe('v6');

    const before = (await berth.api('GET', '/api/v1/apps/shop/environments/prod/deployments')).body.items.length;
    const gone = { ...pushPayload({ repository: REPOSITORY, tag: 'v6.0.0', sha, installationId: INSTALLATION }), deleted: true, after: '0'.repeat(40) };
    const deleted = await processed((await sendDelivery(berth, { event: 'push', payload: gone, secret: github.app.webhookSecret })).deliveryId);
    expect(deleted.outcome).toBe('ignored');
    expect((await berth.api('GET', '/api/v1/apps/shop/environments/prod/deployments')).body.items).toHaveLength(before);
  });

  test('a rule with changed-paths globs deploys only when a changed file matches one', async () => {
    const rules = await berth.api('PUT', '/api/v1/apps/shop/rules', { rules: [{ event: 'push', pattern: 'site', environment: 'prod', paths: ['site/**'] }] });
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);
    const before = (await berth.api('GET', '/api/v1/apps/shop/environments/prod/deployments')).body.items.length;
    const docs = repo.commit('v7-docs', { branch: 'site', files: { 'README.md': 'docs\n' } });
    const skipped = await processed(
      (await sendDelivery(berth, { event: 'push', payload: pushPayload({ repository: REPOSITORY, branch: 'site', sha: docs, installationId: INSTALLATION, files: ['README.md'] }), secret: github.app.webhookSecret })).deliveryId,
    );
    expect(skipped.outcome).toBe('no-match');
    expect(JSON.stringify(skipped.results)).toMatch(/site\/\*\*/);
    expect((await berth.api('GET', '/api/v1/apps/shop/environments/prod/deployments')).body.items).toHaveLength(before);

    const sha = repo.commit('v7', { branch: 'site', files: { 'site-index.md': 'x\n' } });
    builtImages.push(builtImageTag(berth.config.instance, 'shop', sha));
    const hit = await processed(
      (await sendDelivery(berth, { event: 'push', payload: pushPayload({ repository: REPOSITORY, branch: 'site', sha, installationId: INSTALLATION, files: ['site/index.md'] }), secret: github.app.webhookSecret })).deliveryId,
    );
    expect(hit.outcome).toBe('deployed');
    expect((await waitForDeployment(berth, hit.results[0].deploymentId, 180_000)).status).toBe('succeeded');
    expect((await throughTraefik('shop.prod.localhost')).body.trim()).toBe('v7');
  });

  test('no secret is in any workflow history, and every history replays deterministically', async () => {
    const histories = [];
    for await (const info of berth.temporal.workflow.list()) {
      histories.push({ workflowId: info.workflowId, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
    }
    expect(histories.length).toBeGreaterThan(5);
    // Payloads are base64 in the JSON form of a history: read them as text. As Temporal keeps
    // them they are encrypted (src/temporal/payload-codec.ts), so not even the repository's
    // name is readable; decoded with Berth's key ring they are, and still hold no secret.
    const raw = JSON.stringify(histories, (key, value) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
    expect(raw.includes('octo-org/shop')).toBe(false);
    const text = await historyPayloadText(berth.ring, histories);
    expect(text.includes('octo-org/shop')).toBe(true);
    for (const secret of [SECRET, github.app.webhookSecret, 'PRIVATE KEY', 'ghs_']) {
      expect(raw.includes(secret), secret).toBe(false);
      expect(text.includes(secret), secret).toBe(false);
    }
    const failures = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: berth.dataConverter, replayName: 'git-replay' }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  });
});
