// Deploys started by git pushes and pull requests pass the same up-front variable check as API
// deploys (db/queries/variable-issues.ts): one that the app's variable schema refuses queues
// nothing and builds nothing; the delivery records why, naming the key, and the commit gets a
// failed status on GitHub (a local stand-in) naming it too. Once the variable is set, the same
// push deploys. Real Temporal, PostgreSQL, Docker and Traefik.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apps, deployments, environments } from '../../db/schema/index.js';
import { builtImageTag } from '../../src/domain/git-build.js';
import type { TestBerth } from '../support/berth.js';
import { ok as call, startGitHubBerth } from '../support/github-berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import type { GitHubStandIn } from '../support/github-stand-in.js';
import { removeImages } from '../support/images.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { pullRequestPayload, pushPayload, sendDelivery } from '../support/webhooks.js';

const INSTALLATION = 9401;
const REPOSITORY = 'octo-org/gate';
let berth: TestBerth;
let github: GitHubStandIn;
let repo: LocalRepo;
let appId: string;
const images: string[] = [];

beforeAll(async () => {
  repo = createLocalRepo();
  repo.commit('main');
  ({ berth, github } = await startGitHubBerth({ installationId: INSTALLATION, repositories: [{ id: 801, full_name: REPOSITORY, clone_url: repo.url }] }));
  const ok = (method: string, path: string, body?: unknown) => call(berth, method, path, body);
  await ok('POST', '/api/v1/projects', { name: 'gate' });
  const healthCheck = { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 2000 };
  appId = (await ok('POST', '/api/v1/apps', { project: 'gate', name: 'gate', kind: 'git', port: 8080, healthCheck, git: { repository: REPOSITORY, buildArgs: { RUN_ID: randomUUID() } } })).id;
  await ok('POST', '/api/v1/apps/gate/environments', { name: 'prod', drainSeconds: 0 });
  await ok('PUT', '/api/v1/apps/gate/rules', {
    rules: [
      { event: 'push', pattern: 'main', environment: 'prod' },
      { event: 'pull_request', pattern: '**', base: 'main', environment: 'prod' },
    ],
  });
  // The API refuses a schema the environments do not satisfy, so this one is stored as an
  // earlier Berth (or a restored database) may have left it: prod lacks DATABASE_URL.
  await berth.database.db
    .update(apps)
    .set({ variableSchema: { DATABASE_URL: { type: 'url', required: true, secret: false, description: 'where the data lives' } } })
    .where(eq(apps.id, appId));
});

afterAll(async () => {
  await berth?.close();
  await github?.close();
  repo?.remove();
  removeImages(...images);
});

async function deliver(event: string, payload: unknown) {
  const sent = await sendDelivery(berth, { event, payload, secret: github.app.webhookSecret });
  expect(sent.status).toBe(202);
  return waitFor(`delivery ${sent.deliveryId}`, async () => {
    const res = await berth.api('GET', `/api/v1/github/deliveries/${sent.deliveryId}`);
    return res.body?.outcome && res.body.outcome !== 'pending' ? { ...res.body, id: sent.deliveryId } : undefined;
  });
}

const statusesOf = (sha: string) => github.calls.filter((c) => c.method === 'POST' && c.path === `/repos/${REPOSITORY}/statuses/${sha}`).map((c) => c.body);
const deploymentsOfApp = async () => berth.database.db.select().from(deployments).where(eq(deployments.appId, appId));

describe('up-front variable checks for git deploys', () => {
  test('a push the schema refuses queues and builds nothing; the delivery and the commit status name the key', async () => {
    const sha = repo.commit('v1');
    images.push(builtImageTag(berth.config.instance, 'gate', sha));
    const delivery = await deliver('push', pushPayload({ repository: REPOSITORY, branch: 'main', sha, installationId: INSTALLATION, files: ['version'] }));
    expect(delivery.outcome).toBe('failed');
    expect(delivery.message).toContain('DATABASE_URL');
    expect(delivery.results).toHaveLength(1);
    expect(delivery.results[0]).toMatchObject({ app: 'gate', environment: 'prod', deploymentId: null });
    expect(delivery.results[0].note).toMatch(/^refused before anything was queued: variables not accepted: DATABASE_URL/);
    expect(await deploymentsOfApp()).toHaveLength(0);
    const statuses = await waitFor('the failed commit status', async () => (statusesOf(sha).length ? statusesOf(sha) : undefined));
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ state: 'failure', context: 'berth/gate/prod' });
    expect(statuses[0].description).toContain('DATABASE_URL');
    expect(statuses[0].target_url).toContain(`/api/v1/github/deliveries/${delivery.id}`);
  });

  test('a pull request the schema refuses makes no preview environment and deploys nothing', async () => {
    const sha = repo.commit('pr-3', { branch: 'feature/y' });
    images.push(builtImageTag(berth.config.instance, 'gate', sha));
    const delivery = await deliver('pull_request', pullRequestPayload({ repository: REPOSITORY, action: 'opened', number: 3, head: 'feature/y', headSha: sha, installationId: INSTALLATION }));
    expect(delivery.outcome).toBe('failed');
    expect(delivery.results[0]).toMatchObject({ app: 'gate', environment: 'pr-3', deploymentId: null });
    expect(delivery.results[0].note).toContain('DATABASE_URL');
    expect(await berth.database.db.select().from(environments).where(eq(environments.name, 'pr-3'))).toHaveLength(0);
    expect(await deploymentsOfApp()).toHaveLength(0);
    const statuses = await waitFor('the failed commit status', async () => (statusesOf(sha).length ? statusesOf(sha) : undefined));
    expect(statuses[0]).toMatchObject({ state: 'failure', context: 'berth/gate/pr-3' });
    expect(statuses[0].description).toContain('DATABASE_URL');
  });

  test('with the variable set, the same kind of push deploys', async () => {
    await call(berth, 'PUT', '/api/v1/apps/gate/environments/prod/variables', { variables: { DATABASE_URL: 'postgres://db.internal/gate' } });
    const sha = repo.commit('v2');
    images.push(builtImageTag(berth.config.instance, 'gate', sha));
    const delivery = await deliver('push', pushPayload({ repository: REPOSITORY, branch: 'main', sha, installationId: INSTALLATION, files: ['version'] }));
    expect(delivery.outcome, delivery.message).toBe('deployed');
    const d = await waitForDeployment(berth, delivery.results[0].deploymentId, 120_000);
    expect(d.status, d.message).toBe('succeeded');
    // The success status is reported after the deployment's row is marked, so it is waited for.
    await waitFor('the success commit status', async () => (statusesOf(sha).some((s) => s.state === 'success') ? true : undefined));
  }, 150_000);
});
