// Pull-request previews on the real engine, Traefik, Temporal and PostgreSQL: a pull request
// opened deploys its head to pr-<n> (made from the template, host names derived from the
// number), an update redeploys, closing tears everything down — containers, route, environment,
// lane — and an idle preview expires by itself.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { environments, previews } from '../../db/schema/index.js';
import { builtImageTag } from '../../src/domain/git-build.js';
import { routeFileName } from '../../src/domain/route.js';
import { laneWorkflowId, previewWorkflowId, reconcileEnvironmentWorkflowId } from '../../src/domain/workflow-ids.js';
import type { TestBerth } from '../support/berth.js';
import { ok as call, startGitHubBerth } from '../support/github-berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import type { GitHubStandIn } from '../support/github-stand-in.js';
import { removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { pullRequestPayload, sendDelivery } from '../support/webhooks.js';

const INSTALLATION = 9301;
const REPOSITORY = 'octo-org/site';
let berth: TestBerth;
let github: GitHubStandIn;
let repo: LocalRepo;
let appId: string;
const images: string[] = [];

beforeAll(async () => {
  repo = createLocalRepo();
  repo.commit('main');
  ({ berth, github } = await startGitHubBerth({ installationId: INSTALLATION, repositories: [{ id: 701, full_name: REPOSITORY, clone_url: repo.url }] }));
  const ok = (method: string, path: string, body?: unknown) => call(berth, method, path, body);
  await ok('POST', '/api/v1/projects', { name: 'site' });
  const app = await ok('POST', '/api/v1/apps', {
    project: 'site',
    name: 'site',
    kind: 'git',
    port: 8080,
    healthCheck: { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 2000 },
    git: { repository: REPOSITORY, buildArgs: { RUN_ID: randomUUID() } },
  });
  appId = app.id;
  await ok('POST', '/api/v1/apps/site/environments', { name: 'staging', drainSeconds: 0, domains: ['site.example.test'] });
  await ok('PUT', '/api/v1/apps/site/environments/staging/variables', { variables: { STAGE: 'preview' } });
  await ok('PUT', '/api/v1/apps/site/build-secrets/api_token', { value: 'preview-token' });
  await ok('PUT', '/api/v1/apps/site/rules', { rules: [{ event: 'pull_request', pattern: '**', base: 'main', environment: 'staging' }] });
});

afterAll(async () => {
  await berth?.close();
  await github?.close();
  repo?.remove();
  removeImages(...images);
});

async function prEvent(action: string, number: number, head: string, headSha: string) {
  images.push(builtImageTag(berth.config.instance, 'site', headSha));
  const payload = pullRequestPayload({ repository: REPOSITORY, action, number, head, headSha, installationId: INSTALLATION });
  const sent = await sendDelivery(berth, { event: 'pull_request', payload, secret: github.app.webhookSecret });
  expect(sent.status).toBe(202);
  return waitFor(`delivery ${sent.deliveryId}`, async () => {
    const res = await berth.api('GET', `/api/v1/github/deliveries/${sent.deliveryId}`);
    return res.body?.outcome && res.body.outcome !== 'pending' ? res.body : undefined;
  });
}

async function nothingLeft(number: number) {
  const env = await berth.database.db
    .select()
    .from(environments)
    .where(eq(environments.name, `pr-${number}`));
  return env.length === 0;
}

describe('pull-request previews', () => {
  let environmentId: string;

  test('opened: pr-<n> is made from the template and serves the head commit through Traefik', async () => {
    const sha = repo.commit('pr-7 first', { branch: 'feature/x' });
    const delivery = await prEvent('opened', 7, 'feature/x', sha);
    expect(delivery.outcome).toBe('deployed');
    expect(delivery.results[0]).toMatchObject({ app: 'site', environment: 'pr-7' });
    const d = await waitForDeployment(berth, delivery.results[0].deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    const env = await berth.api('GET', '/api/v1/apps/site/environments/pr-7');
    expect(env.body.hosts).toEqual(['site.pr-7.localhost', 'pr-7.site.example.test']);
    expect(env.body.parent).toBe('staging');
    environmentId = env.body.id;
    expect((await throughTraefik('site.pr-7.localhost')).body.trim()).toBe('pr-7 first');
    expect((await throughTraefik('pr-7.site.example.test')).body.trim()).toBe('pr-7 first');
    // GitHub hears of a transient deployment to pr-7.
    await waitFor('feedback', async () => github.feedbackCalls().at(-1) === 'commit-status success');
    expect(github.calls.find((c) => c.method === 'POST' && c.path.endsWith('/deployments'))?.body).toMatchObject({ environment: 'pr-7', transient_environment: true, production_environment: false });
  });

  test('synchronize: the new head replaces the old one', async () => {
    const sha = repo.commit('pr-7 second', { branch: 'feature/x' });
    const delivery = await prEvent('synchronize', 7, 'feature/x', sha);
    const d = await waitForDeployment(berth, delivery.results[0].deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    expect((await throughTraefik('site.pr-7.localhost')).body.trim()).toBe('pr-7 second');
  });

  test('closed: containers, route, environment and lane are gone', async () => {
    const sha = repo.commit('pr-7 closing', { branch: 'feature/x' });
    const delivery = await prEvent('closed', 7, 'feature/x', sha);
    expect(delivery.outcome).toBe('teardown');
    const lifecycle = berth.temporal.workflow.getHandle(previewWorkflowId(appId, 7));
    expect(await lifecycle.result()).toMatchObject({ removed: 'closed' });
    // The environment was no longer live when its containers went: Docker's events of their
    // removal (within milliseconds) started no reconcile to make them again and route them.
    await new Promise((r) => setTimeout(r, 1000));
    await expect(berth.temporal.workflow.getHandle(reconcileEnvironmentWorkflowId(environmentId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await berth.containers(environmentId)).toEqual([]);
    expect(existsSync(join(berth.config.traefik.routesDir, routeFileName(berth.config.instance, environmentId)))).toBe(false);
    expect(await nothingLeft(7)).toBe(true);
    expect((await berth.temporal.workflow.getHandle(laneWorkflowId(environmentId)).describe()).status.name).not.toBe('RUNNING');
    expect((await throughTraefik('site.pr-7.localhost')).status).toBe(404);
    const [row] = await berth.database.db.select().from(previews).where(eq(previews.number, 7));
    expect(row).toMatchObject({ status: 'removed', removedReason: 'closed', environmentId: null });
    // The staging template is untouched.
    expect((await berth.api('GET', '/api/v1/apps/site/environments/staging')).status).toBe(200);
    expect(github.feedbackCalls()).toContain('deployment-status inactive');
  });

  test('a preview with no pull-request event for its idle time is torn down by its timer', async () => {
    expect((await berth.api('PATCH', '/api/v1/apps/site', { git: { previewIdleSeconds: 4 } })).status).toBe(200);
    const sha = repo.commit('pr-8', { branch: 'feature/y' });
    const delivery = await prEvent('opened', 8, 'feature/y', sha);
    const d = await waitForDeployment(berth, delivery.results[0].deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    const env = await berth.api('GET', '/api/v1/apps/site/environments/pr-8');
    expect((await throughTraefik('site.pr-8.localhost')).body.trim()).toBe('pr-8');
    const result = await berth.temporal.workflow.getHandle(previewWorkflowId(appId, 8)).result();
    expect(result).toMatchObject({ removed: 'idle' });
    expect(await berth.containers(env.body.id)).toEqual([]);
    const audit = await berth.api('GET', '/api/v1/audit?actorKind=schedule&action=preview.remove');
    expect(audit.body.items[0]).toMatchObject({ actorName: 'preview-idle-timer', target: '/apps/site/environments/pr-8', detail: { number: 8, reason: 'idle' } });
    expect(await nothingLeft(8)).toBe(true);
  });

  test('a pull request into another base matches no rule and makes no preview', async () => {
    const sha = repo.commit('pr-9', { branch: 'feature/z' });
    images.push(builtImageTag(berth.config.instance, 'site', sha));
    const payload = pullRequestPayload({ repository: REPOSITORY, action: 'opened', number: 9, head: 'feature/z', headSha: sha, base: 'develop', installationId: INSTALLATION });
    const sent = await sendDelivery(berth, { event: 'pull_request', payload, secret: github.app.webhookSecret });
    const d = await waitFor('delivery', async () => {
      const res = await berth.api('GET', `/api/v1/github/deliveries/${sent.deliveryId}`);
      return res.body?.outcome !== 'pending' ? res.body : undefined;
    });
    expect(d.outcome).toBe('no-match');
    expect(d.results[0].note).toMatch(/base branch develop does not match main/);
    expect(await nothingLeft(9)).toBe(true);
  });
});
