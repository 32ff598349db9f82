// Pull requests from forks, with GitHub's real payload shapes (the head in another repository):
// under the default policy nothing is built until a deployer approves that head commit (API or
// the app's label); a new push needs a new approval; and when a fork's preview is built and run,
// no build secret and no secret variable reaches the build, the image, the container or the log.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtImageTag } from '../../src/domain/git-build.js';
import { addMember, makeToken, makeUser } from '../support/accounts.js';
import type { TestBerth } from '../support/berth.js';
import { ok as call, startGitHubBerth } from '../support/github-berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import type { GitHubStandIn } from '../support/github-stand-in.js';
import { removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { pullRequestPayload, sendDelivery } from '../support/webhooks.js';

const INSTALLATION = 9401;
const REPOSITORY = 'octo-org/forky';
const FORK = 'mallory/forky';
const BUILD_SECRET = `build-secret-${randomUUID()}`;
const SECRET_VARIABLE = `db-password-${randomUUID()}`;
let berth: TestBerth;
let github: GitHubStandIn;
let repo: LocalRepo;
let trustedSha = '';
const tokens = { viewer: '', deployer: '' };
const images: string[] = [];

beforeAll(async () => {
  repo = createLocalRepo();
  repo.commit('main');
  ({ berth, github } = await startGitHubBerth({ installationId: INSTALLATION, repositories: [{ id: 801, full_name: REPOSITORY, clone_url: repo.url }] }));
  const ok = (method: string, path: string, body?: unknown) => call(berth, method, path, body);
  const project = await ok('POST', '/api/v1/projects', { name: 'forky' });
  await ok('POST', '/api/v1/apps', {
    project: 'forky',
    name: 'forky',
    kind: 'git',
    port: 8080,
    healthCheck: { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 2000 },
    git: { repository: REPOSITORY, buildArgs: { RUN_ID: randomUUID() }, forkApprovalLabel: 'safe to deploy' },
  });
  await ok('POST', '/api/v1/apps/forky/environments', { name: 'staging', drainSeconds: 0 });
  await ok('PUT', '/api/v1/apps/forky/environments/staging/variables', { variables: { STAGE: 'preview', DB_PASSWORD: SECRET_VARIABLE }, secret: ['DB_PASSWORD'] });
  await ok('PUT', '/api/v1/apps/forky/build-secrets/api_token', { value: BUILD_SECRET });
  await ok('PUT', '/api/v1/apps/forky/rules', { rules: [{ event: 'pull_request', pattern: '**', base: 'main', environment: 'staging' }] });
  for (const role of ['viewer', 'deployer'] as const) {
    const user = await makeUser(berth.database.db);
    await addMember(berth.database.db, project.id, user.id, role);
    tokens[role] = await makeToken(berth.database.db, user.id);
  }
});

afterAll(async () => {
  await berth?.close();
  await github?.close();
  repo?.remove();
  removeImages(...images);
});

async function pullRequest(action: string, number: number, head: string, headSha: string, extra: { headRepository?: string | null; label?: string; sender?: string } = {}) {
  images.push(builtImageTag(berth.config.instance, 'forky', headSha));
  const payload = pullRequestPayload({ repository: REPOSITORY, action, number, head, headSha, installationId: INSTALLATION, ...extra });
  const sent = await sendDelivery(berth, { event: 'pull_request', payload, secret: github.app.webhookSecret });
  expect(sent.status).toBe(202);
  return waitFor(`delivery ${sent.deliveryId}`, async () => {
    const res = await berth.api('GET', `/api/v1/github/deliveries/${sent.deliveryId}`);
    return res.body?.outcome && res.body.outcome !== 'pending' ? res.body : undefined;
  });
}

async function forkCommit(number: number, sha: string) {
  const res = await berth.api('GET', '/api/v1/apps/forky/previews');
  return (res.body.forkCommits as { number: number; headSha: string; status: string; approvedBy: string | null; deploymentId: string | null }[]).find((c) => c.number === number && c.headSha === sha);
}

async function logsOf(id: string): Promise<string> {
  const res = await berth.api('GET', `/api/v1/deployments/${id}/logs`);
  return (res.body.items as { message: string }[]).map((l) => l.message).join('\n');
}

/** The container's environment, its image's layers and history, and the deployment's log. */
async function assertNoSecrets(environment: string, deploymentId: string, sha: string) {
  const env = (await berth.api('GET', `/api/v1/apps/forky/environments/${environment}`)).body;
  const containers = await berth.containers(env.id);
  expect(containers.length).toBeGreaterThan(0);
  for (const c of containers) {
    const vars = (await berth.docker.getContainer(c.Id).inspect()).Config.Env;
    expect(vars).toContain('STAGE=preview');
    expect(vars.join('\n')).not.toContain(SECRET_VARIABLE);
    expect(vars.some((v) => v.startsWith('DB_PASSWORD='))).toBe(false);
  }
  const image = builtImageTag(berth.config.instance, 'forky', sha);
  const dir = mkdtempSync(join(tmpdir(), 'berth-fork-'));
  try {
    execFileSync('/usr/bin/docker', ['save', '-o', join(dir, 'image.tar'), image]);
    expect(readFileSync(join(dir, 'image.tar')).includes(BUILD_SECRET)).toBe(false);
    expect(execFileSync('/usr/bin/docker', ['history', '--no-trunc', image]).toString()).not.toContain(BUILD_SECRET);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const logs = await logsOf(deploymentId);
  expect(logs).toContain('untrusted source (a fork): built without build secrets');
  expect(logs).not.toContain(BUILD_SECRET);
  expect(logs).not.toMatch(/token has \d+ bytes/); // the secret mount was not there to count
}

describe('a fork under the default policy (approve)', () => {
  let firstSha: string;

  test('opened: nothing is built; the head commit waits for approval', async () => {
    firstSha = repo.commit('fork first', { branch: 'fork/feature' });
    const delivery = await pullRequest('opened', 11, 'fork/feature', firstSha, { headRepository: FORK });
    expect(delivery.outcome).toBe('awaiting-approval');
    expect(delivery.results[0]).toMatchObject({ app: 'forky', environment: 'pr-11', deploymentId: null });
    expect(delivery.results[0].note).toMatch(/waiting for a deployer to approve/);
    expect(await forkCommit(11, firstSha)).toMatchObject({ status: 'pending', approvedBy: null, deploymentId: null });
    expect((await berth.api('GET', '/api/v1/apps/forky/environments/pr-11')).status).toBe(404);
  });

  test('a viewer cannot approve; a deployer approves that commit and its preview deploys without secrets', async () => {
    const approve = (token: string, sha: string) => berth.api('POST', '/api/v1/apps/forky/previews/11/approve', { sha }, token);
    expect((await approve(tokens.viewer, firstSha)).status).toBe(403);
    expect((await approve(tokens.deployer, 'f'.repeat(40))).status).toBe(404);
    const approved = await approve(tokens.deployer, firstSha);
    expect(approved.status, JSON.stringify(approved.body)).toBe(202);
    expect((await approve(tokens.deployer, firstSha)).status).toBe(409);
    const d = await waitForDeployment(berth, approved.body.deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    expect((await throughTraefik('forky.pr-11.localhost')).body.trim()).toBe('fork first');
    expect(await forkCommit(11, firstSha)).toMatchObject({ status: 'approved', deploymentId: approved.body.deploymentId });
    await assertNoSecrets('pr-11', approved.body.deploymentId, firstSha);
    const audit = await berth.api('GET', '/api/v1/audit?action=POST%20/apps/%7Bapp%7D/previews');
    expect(audit.body.items.map((e: { outcome: string }) => e.outcome)).toEqual(['rejected', 'succeeded', 'rejected', 'denied']);
  });

  test('a new push is a new commit: it waits for its own approval while the approved one keeps serving', async () => {
    const sha = repo.commit('fork second', { branch: 'fork/feature' });
    const delivery = await pullRequest('synchronize', 11, 'fork/feature', sha, { headRepository: FORK });
    expect(delivery.outcome).toBe('awaiting-approval');
    expect(await forkCommit(11, sha)).toMatchObject({ status: 'pending' });
    expect((await throughTraefik('forky.pr-11.localhost')).body.trim()).toBe('fork first');
  });

  test("the app's label approves the head commit; any other label does nothing", async () => {
    const sha = repo.commit('fork third', { branch: 'fork/feature' });
    expect((await pullRequest('synchronize', 11, 'fork/feature', sha, { headRepository: FORK })).outcome).toBe('awaiting-approval');
    const other = await pullRequest('labeled', 11, 'fork/feature', sha, { headRepository: FORK, label: 'bug', sender: 'someone' });
    expect(other.outcome).toBe('ignored');
    const labeled = await pullRequest('labeled', 11, 'fork/feature', sha, { headRepository: FORK, label: 'safe to deploy', sender: 'maintainer' });
    expect(labeled.outcome).toBe('deployed');
    const d = await waitForDeployment(berth, labeled.results[0].deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    expect((await throughTraefik('forky.pr-11.localhost')).body.trim()).toBe('fork third');
    expect(await forkCommit(11, sha)).toMatchObject({ status: 'approved', approvedBy: 'github:maintainer' });
    await assertNoSecrets('pr-11', labeled.results[0].deploymentId, sha);
    // The audit log names the delivery that started it.
    const audit = await berth.api('GET', '/api/v1/audit?actorKind=webhook&action=deployment.trigger');
    expect(audit.body.items[0]).toMatchObject({ actorName: 'github:pull_request.labeled', target: '/apps/forky/environments/pr-11', detail: { deploymentId: labeled.results[0].deploymentId, repository: REPOSITORY } });
  });
});

describe('other fork policies, and a pull request from the repository itself', () => {
  test('deny: a fork is never built; allow-without-secrets: built at once, without secrets', async () => {
    await call(berth, 'PATCH', '/api/v1/apps/forky', { git: { forkPolicy: 'deny' } });
    const denied = repo.commit('fork denied', { branch: 'fork/denied' });
    const d1 = await pullRequest('opened', 12, 'fork/denied', denied, { headRepository: FORK });
    expect(d1.outcome).toBe('ignored');
    expect(d1.message).toMatch(/fork policy deny/);
    expect(await forkCommit(12, denied)).toBeUndefined();

    await call(berth, 'PATCH', '/api/v1/apps/forky', { git: { forkPolicy: 'allow-without-secrets' } });
    const allowed = repo.commit('fork allowed', { branch: 'fork/allowed' });
    // A deleted fork (head.repo null) is a fork all the same.
    const d2 = await pullRequest('opened', 13, 'fork/allowed', allowed, { headRepository: null });
    expect(d2.outcome).toBe('deployed');
    const d = await waitForDeployment(berth, d2.results[0].deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    await assertNoSecrets('pr-13', d2.results[0].deploymentId, allowed);
  });

  test('a pull request from a branch of the repository gets its secrets (the control)', async () => {
    const sha = repo.commit('inside', { branch: 'feature/inside' });
    trustedSha = sha;
    const delivery = await pullRequest('opened', 14, 'feature/inside', sha);
    expect(delivery.outcome).toBe('deployed');
    const d = await waitForDeployment(berth, delivery.results[0].deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    const env = (await berth.api('GET', '/api/v1/apps/forky/environments/pr-14')).body;
    const [container] = await berth.containers(env.id);
    expect((await berth.docker.getContainer(container?.Id as string).inspect()).Config.Env).toContain(`DB_PASSWORD=${SECRET_VARIABLE}`);
    const logs = await logsOf(delivery.results[0].deploymentId);
    expect(logs, logs).toContain(`token has ${BUILD_SECRET.length} bytes`);
  });

  test('a fork cannot start from an image Berth built, nor write outside its checkout through a symlink', async () => {
    const victim = join(mkdtempSync(join(tmpdir(), 'berth-victim-')), 'victim');
    writeFileSync(victim, 'untouched\n');
    try {
      // A Dockerfile that reads the trusted build's image, and symlinks where Berth once wrote.
      const trusted = builtImageTag(berth.config.instance, 'forky', trustedSha);
      repo.commit('fork reads trusted', { branch: 'fork/sneaky', files: { Dockerfile: `FROM ${trusted}\nCMD ["cat", "/run-id"]\n` } });
      symlinkSync(victim, join(repo.dir, '.berth-untrusted.Dockerfile'));
      const sha = repo.commit('fork reads trusted', { branch: 'fork/sneaky' });
      const delivery = await pullRequest('opened', 15, 'fork/sneaky', sha, { headRepository: FORK });
      const d = await waitForDeployment(berth, delivery.results[0].deploymentId, 180_000);
      expect(d.status).toBe('failed');
      expect(d.message).toMatch(/untrusted build refused: it reads .*an image Berth built/);
      expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
    } finally {
      rmSync(dirname(victim), { recursive: true, force: true });
    }
  });
});
