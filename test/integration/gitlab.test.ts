// GitLab against a local stand-in (test/support/gitlab-stand-in.ts: its commit-status API and
// git over smart HTTP, both checking the access token). Deliveries are sent in GitLab's
// documented shapes: verified by X-Gitlab-Token in constant time, or by the signed-webhook
// headers with their timestamp window. A push deploys both apps of the project, live through
// Traefik, with commit statuses and deployments in GitLab environments; a merge request gets a
// preview, torn down (its environment stopped) when it is closed; refused deliveries store nothing.
import { ok as okOf, setUpHostApps } from '../support/git-host-apps.js';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { webhookDeliveries } from '../../db/schema/index.js';
import { builtImageTag } from '../../src/domain/git-build.js';
import { newStandardSecret, signStandard } from '../../src/git-hosts/generic/standard-webhooks.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { startGitLabStandIn, type GitLabStandIn } from '../support/gitlab-stand-in.js';
import { removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const MAX_BYTES = 64 * 1024;
const PROJECT = 'group/web';
const SECRET = newStandardSecret();
let gitlab: GitLabStandIn;
let berth: TestBerth;
let repo: LocalRepo;
let bare: string;
let host: { id: string; webhookPath: string };
const images: string[] = [];

const ok = (method: string, path: string, body?: unknown) => okOf(berth, method, path, body);

beforeAll(async () => {
  gitlab = await startGitLabStandIn();
  bare = gitlab.createRepo(PROJECT);
  berth = await startBerth({ env: { BERTH_WEBHOOK_MAX_BYTES: String(MAX_BYTES) } });
  repo = createLocalRepo();
  host = await ok('POST', '/api/v1/git-hosts', { name: 'lab', kind: 'gitlab', baseUrl: gitlab.url, accessToken: gitlab.token, webhookSecret: SECRET });
  await setUpHostApps(berth, { project: 'lab', apps: ['lab', 'lab2'], repository: PROJECT, gitHostId: host.id });
});

afterAll(async () => {
  await berth?.close();
  await gitlab?.close();
  repo?.remove();
  removeImages(...images);
});

const rows = async () => (await berth.database.db.select({ n: count() }).from(webhookDeliveries))[0]?.n ?? 0;
const project = { id: 15, name: 'web', path_with_namespace: PROJECT, web_url: `http://gitlab.example/${PROJECT}`, git_http_url: `http://gitlab.example/${PROJECT}.git`, default_branch: 'main' };

/** A Push Hook as GitLab documents it. */
const pushHook = (ref: string, before: string, after: string) => ({
  object_kind: 'push',
  event_name: 'push',
  before,
  after,
  ref,
  checkout_sha: after,
  user_username: 'jsmith',
  project_id: 15,
  project,
  commits: [{ id: after, message: 'Update version\n', title: 'Update version', added: [], modified: ['version'], removed: [] }],
  total_commits_count: 1,
  repository: { name: 'web', url: project.git_http_url, homepage: project.web_url },
});

/** A Merge Request Hook as GitLab documents it. */
const mergeRequestHook = (action: string, iid: number, sha: string, extra: Record<string, unknown> = {}) => ({
  object_kind: 'merge_request',
  event_type: 'merge_request',
  user: { username: 'jsmith' },
  project,
  object_attributes: { iid, action, state: action === 'close' ? 'closed' : 'opened', source_branch: 'feature', target_branch: 'main', source_project_id: 15, target_project_id: 15, source: project, target: project, last_commit: { id: sha, message: 'change' }, ...extra },
  repository: { name: 'web', url: project.git_http_url },
});

function send(event: string, payload: unknown, headers: Record<string, string> = { 'x-gitlab-token': SECRET }) {
  return berth.app.request(host.webhookPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-event-uuid': randomUUID(), ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

async function processed(res: Response) {
  expect(res.status).toBe(202);
  const { delivery } = (await res.json()) as { delivery: string };
  return waitFor(`delivery ${delivery}`, async () => {
    const d = await berth.api('GET', `/api/v1/github/deliveries/${delivery}`);
    return d.body?.outcome && d.body.outcome !== 'pending' ? d.body : undefined;
  });
}

/** GitLab's API for the project, read back from the stand-in as a GitLab client would. */
async function gitlabApi<T = unknown>(path: string): Promise<T> {
  const res = await fetch(`${gitlab.url}/api/v4/projects/${encodeURIComponent(PROJECT)}${path}`, { headers: { 'private-token': gitlab.token } });
  return (await res.json()) as T;
}

const statuses = (sha: string) => gitlab.calls.filter((c) => c.method === 'POST' && c.path === `/api/v4/projects/${PROJECT}/statuses/${sha}`);

describe('GitLab', () => {
  test("the projects the connection's token is a member of are listed, read from GitLab with the sealed token", async () => {
    const repos = await ok('GET', `/api/v1/git-hosts/${host.id}/repositories`);
    expect(repos.items).toEqual([{ fullName: PROJECT, private: true, defaultBranch: 'main', htmlUrl: `${gitlab.url}/${PROJECT}` }]);
    expect(gitlab.calls.filter((c) => c.path === '/api/v4/projects').map((c) => c.authorized)).toEqual([true]);
  });

  test('a push deploys both apps of the project, live through Traefik, with commit statuses on GitLab', async () => {
    const sha = repo.commit('gl v1');
    images.push(builtImageTag(berth.config.instance, 'lab', sha), builtImageTag(berth.config.instance, 'lab2', sha));
    execFileSync('git', ['push', '-q', bare, 'main'], { cwd: repo.dir });
    const delivery = await processed(await send('Push Hook', pushHook('refs/heads/main', '0'.repeat(40), sha)));
    expect(delivery.outcome, delivery.message).toBe('deployed');
    expect(delivery.repository).toBe(PROJECT);
    expect(delivery.results.map((r: { app: string }) => r.app).sort()).toEqual(['lab', 'lab2']);
    for (const r of delivery.results as { app: string; deploymentId: string }[]) {
      const d = await waitForDeployment(berth, r.deploymentId, 240_000);
      expect(d.status, d.message).toBe('succeeded');
      expect((await throughTraefik(`${r.app}.prod.localhost`)).body.trim()).toBe('gl v1');
    }
    await waitFor('the success statuses', async () => statuses(sha).filter((c) => c.body?.state === 'success').length === 2);
    expect(statuses(sha).every((c) => c.authorized)).toBe(true);
    expect(statuses(sha).filter((c) => c.body?.name === 'berth/lab/prod').map((c) => c.body?.state)).toEqual(['running', 'success']);
    // GitLab's environments: one deployment per app, running then success, read back from its API.
    for (const app of ['lab', 'lab2']) {
      const deployments = await waitFor(`the ${app} deployment on GitLab`, async () => {
        const list = await gitlabApi<{ sha: string; ref: string; tag: boolean; status: string }[]>(`/deployments?environment=berth/${app}/prod`);
        return list.some((d) => d.status === 'success') ? list : undefined;
      });
      expect(deployments).toEqual([expect.objectContaining({ sha, ref: 'main', tag: false, status: 'success' })]);
      // Berth sets the environment's URL once the deployment's success is reported, so it is waited for.
      const env = await waitFor(`the ${app} environment's URL on GitLab`, async () => {
        const [found] = await gitlabApi<{ name: string; state: string; external_url: string | null }[]>(`/environments?name=berth/${app}/prod`);
        return found?.external_url ? found : undefined;
      });
      expect(env).toMatchObject({ state: 'available', external_url: expect.stringMatching(new RegExp(`^https?://${app}\\.prod\\.`)) });
    }
  }, 420_000);

  test('a merge request gets a preview; closing it tears the preview down', async () => {
    const sha = repo.commit('gl mr', { branch: 'feature' });
    images.push(builtImageTag(berth.config.instance, 'lab', sha));
    execFileSync('git', ['push', '-q', bare, 'feature'], { cwd: repo.dir });
    const opened = await processed(await send('Merge Request Hook', mergeRequestHook('open', 4, sha)));
    const preview = opened.results.find((r: { deploymentId: string | null }) => r.deploymentId);
    expect(preview).toMatchObject({ app: 'lab', environment: 'pr-4' });
    const d = await waitForDeployment(berth, preview.deploymentId, 240_000);
    expect(d.status, d.message).toBe('succeeded');
    expect((await throughTraefik('lab.pr-4.localhost')).body.trim()).toBe('gl mr');
    // An update without new commits (a title change) is ignored.
    const edited = await send('Merge Request Hook', mergeRequestHook('update', 4, sha));
    expect(await edited.json()).toMatchObject({ status: 'ignored' });
    const closed = await processed(await send('Merge Request Hook', mergeRequestHook('close', 4, sha)));
    expect(closed.outcome).toBe('teardown');
    await waitFor('the preview to go', async () => (await berth.api('GET', '/api/v1/apps/lab/environments/pr-4')).status === 404, 60_000, 200);
    // Its GitLab environment had the preview's deployment, and is stopped.
    expect(await gitlabApi(`/deployments?environment=berth/lab/pr-4`)).toEqual([expect.objectContaining({ sha, ref: 'feature', status: 'success' })]);
    await waitFor('the environment to be stopped', async () => (await gitlabApi<{ state: string }[]>('/environments?name=berth/lab/pr-4'))[0]?.state === 'stopped');
  }, 420_000);

  test('X-Gitlab-Token wrong or missing, signatures wrong or stale, unknown connections → 401; over the limit → 413; nothing stored', async () => {
    const before = await rows();
    const payload = JSON.stringify(pushHook('refs/heads/elsewhere', '0'.repeat(40), 'd'.repeat(40)));
    expect((await send('Push Hook', payload, { 'x-gitlab-token': `${SECRET}x` })).status).toBe(401);
    expect((await send('Push Hook', payload, { 'x-gitlab-token': SECRET.slice(0, 10) })).status).toBe(401);
    expect((await send('Push Hook', payload, {})).status).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    const signed = (ts: number, body = payload) => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(SECRET, 'msg_1', ts, body) });
    // A signed delivery replayed later: outside the window, even with the right token beside it.
    expect((await send('Push Hook', payload, { ...signed(now - 900), 'x-gitlab-token': SECRET })).status).toBe(401);
    expect((await send('Push Hook', payload, signed(now, '{}'))).status).toBe(401);
    const stranger = await berth.app.request('/webhooks/gitlab/ghc_0000000000aaaa', { method: 'POST', headers: { 'x-gitlab-token': SECRET, 'x-gitlab-event': 'Push Hook' }, body: payload });
    expect(stranger.status).toBe(401);
    expect((await send('Push Hook', JSON.stringify({ pad: 'x'.repeat(MAX_BYTES) }))).status).toBe(413);
    expect(await rows()).toBe(before);
    // Correctly signed (no token): stored once.
    const good = await send('Push Hook', payload, signed(now));
    expect(await good.json()).toMatchObject({ status: 'accepted' });
    expect(await (await send('Push Hook', payload, signed(now))).json()).toMatchObject({ status: 'duplicate' });
    expect(await rows()).toBe(before + 1);
  });
});
