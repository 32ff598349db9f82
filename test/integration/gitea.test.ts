// A real Gitea server drives Berth through its own webhooks: a connection made through the API
// (secrets sealed), a repository and a webhook made through Gitea's API, commits pushed with
// git. A push builds and deploys two apps of one repository, live through Traefik, and Gitea
// holds their commit statuses; a pull request gets a preview that goes when it is closed.
// Deliveries with a wrong, missing or replayed signature, or over the size limit, are refused
// and store nothing.
import { ok as okOf, setUpHostApps } from '../support/git-host-apps.js';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createHostApis } from '../../activities/git-hosts/host-apis.js';
import { gitHosts, webhookDeliveries } from '../../db/schema/index.js';
import { createSecretBox, loadSecretKey } from '../../src/secrets/secret-box.js';
import { builtImageTag } from '../../src/domain/git-build.js';
import { hmacSha256 } from '../../src/git-hosts/hmac.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { startGitea, type Gitea } from '../support/gitea.js';
import { removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const MAX_BYTES = 64 * 1024;
const REPO = 'web';
let gitea: Gitea;
let berth: TestBerth;
let server: ServerType;
let repo: LocalRepo;
let host: { id: string; webhookPath: string; webhookSecret: string };
const images: string[] = [];

const ok = (method: string, path: string, body?: unknown) => okOf(berth, method, path, body);

beforeAll(async () => {
  gitea = await startGitea(inject('services').toolsDir);
  berth = await startBerth({ env: { BERTH_WEBHOOK_MAX_BYTES: String(MAX_BYTES) } });
  server = serve({ fetch: berth.app.fetch, hostname: '127.0.0.1', port: berth.config.api.port });
  repo = createLocalRepo();
  host = await ok('POST', '/api/v1/git-hosts', { name: 'forge', kind: 'gitea', baseUrl: gitea.url, accessToken: gitea.token });
  await gitea.createRepo(REPO);
  await gitea.createWebhook(REPO, `${berth.config.api.publicUrl}${host.webhookPath}`, host.webhookSecret);
  await setUpHostApps(berth, { project: 'forge', apps: ['web', 'web2'], repository: `${gitea.user}/${REPO}`, gitHostId: host.id });
}, 180_000);

afterAll(async () => {
  server?.close();
  await berth?.close();
  await gitea?.stop();
  repo?.remove();
  removeImages(...images);
});

const rows = async () => (await berth.database.db.select({ n: count() }).from(webhookDeliveries))[0]?.n ?? 0;

/** The delivery Gitea sent for this commit, once Berth has processed it. */
const deliveryFor = (sha: string, event: string) =>
  waitFor(
    `Gitea's ${event} delivery for ${sha.slice(0, 8)}`,
    async () => {
      const res = await berth.api('GET', `/api/v1/github/deliveries?event=${event}&limit=50`);
      const found = (res.body.items as { id: string; sha: string; outcome: string }[]).find((d) => d.sha === sha && d.outcome !== 'pending');
      return found ? (await berth.api('GET', `/api/v1/github/deliveries/${found.id}`)).body : undefined;
    },
    60_000,
    200,
  );

const statusesOf = async (sha: string) => (await gitea.api<{ context: string; status: string; target_url: string }[]>('GET', `/repos/${gitea.user}/${REPO}/commits/${sha}/statuses`)).body;

describe('a Gitea connection', () => {
  test('its access token and webhook secret are sealed at rest and never returned', async () => {
    const listed = await ok('GET', '/api/v1/git-hosts');
    expect(listed.items).toMatchObject([{ id: host.id, name: 'forge', kind: 'gitea', baseUrl: gitea.url, webhookPath: `/webhooks/gitea/${host.id}` }]);
    expect(JSON.stringify(listed)).not.toContain(gitea.token);
    expect(JSON.stringify(listed)).not.toContain(host.webhookSecret);
    const [row] = await berth.database.db.select().from(gitHosts).where(eq(gitHosts.id, host.id));
    expect(row?.accessTokenSealed).toMatch(/^v2\.[0-9a-z]+\./);
    expect(row?.webhookSecretSealed).toMatch(/^v2\.[0-9a-z]+\./);
    expect(JSON.stringify(row)).not.toContain(gitea.token);
    expect(JSON.stringify(row)).not.toContain(host.webhookSecret);
    const app = await ok('GET', '/api/v1/apps/web');
    expect(app.git).toMatchObject({ repository: `${gitea.user}/${REPO}`, gitHostId: host.id });
  });

  test('bad input is refused and changes nothing', async () => {
    const before = await ok('GET', '/api/v1/git-hosts');
    for (const body of [
      { name: 'x', kind: 'sourcehut', baseUrl: gitea.url, accessToken: 'a'.repeat(20) },
      { name: 'x', kind: 'gitea', baseUrl: 'ftp://example.com', accessToken: 'a'.repeat(20) },
      { name: 'x', kind: 'gitea', baseUrl: 'https://user:pw@example.com', accessToken: 'a'.repeat(20) },
      { name: 'x', kind: 'gitea', baseUrl: gitea.url, accessToken: 'short' },
      { name: 'forge', kind: 'gitea', baseUrl: gitea.url, accessToken: 'a'.repeat(20) },
    ]) {
      const res = await berth.api('POST', '/api/v1/git-hosts', body);
      expect([400, 409], JSON.stringify(body)).toContain(res.status);
    }
    const unknown = await berth.api('POST', '/api/v1/apps', { project: 'forge', name: 'nohost', kind: 'git', port: 8080, git: { repository: 'a/b', gitHostId: 'ghc_0000000000aaaa' } });
    expect(unknown.status).toBe(400);
    expect(await ok('GET', '/api/v1/git-hosts')).toEqual(before);
    expect((await berth.api('DELETE', `/api/v1/git-hosts/${host.id}`)).status).toBe(409);
  });
});

describe("Gitea's own webhooks", () => {
  test('a push builds and deploys both apps of the repository, live through Traefik, with commit statuses on Gitea', async () => {
    const sha = repo.commit('v1');
    images.push(builtImageTag(berth.config.instance, 'web', sha), builtImageTag(berth.config.instance, 'web2', sha));
    await gitea.push(repo.dir, REPO, 'main');
    const delivery = await deliveryFor(sha, 'push');
    expect(delivery.outcome, delivery.message).toBe('deployed');
    expect(delivery.results.map((r: { app: string }) => r.app).sort()).toEqual(['web', 'web2']);
    for (const result of delivery.results as { app: string; deploymentId: string }[]) {
      const d = await waitForDeployment(berth, result.deploymentId, 240_000);
      expect(d.status, d.message).toBe('succeeded');
      expect(d.request.sha).toBe(sha);
      expect((await throughTraefik(`${result.app}.prod.localhost`)).body.trim()).toBe('v1');
    }
    const statuses = await waitFor(
      'success statuses on Gitea',
      async () => {
        const list = await statusesOf(sha);
        return ['berth/web/prod', 'berth/web2/prod'].every((c) => list.some((s) => s.context === c && s.status === 'success')) ? list : undefined;
      },
      30_000,
      200,
    );
    // Pending first, then success, for each app; linking to the Berth deployment.
    expect(statuses.filter((s) => s.context === 'berth/web/prod').map((s) => s.status).sort()).toEqual(['pending', 'success']);
    const web = delivery.results.find((r: { app: string }) => r.app === 'web');
    expect(statuses.find((s) => s.context === 'berth/web/prod' && s.status === 'success')?.target_url).toBe(`${berth.config.api.publicUrl}/api/v1/deployments/${web.deploymentId}`);
  }, 420_000);

  test('the provider boundary reads a commit from Gitea with the sealed token', async () => {
    const hosts = createHostApis({ db: berth.database.db, box: createSecretBox(loadSecretKey(berth.config.secrets)) });
    const head = execFileSync('git', ['rev-parse', 'main'], { cwd: repo.dir }).toString().trim();
    expect(await hosts.getCommit(host.id, `${gitea.user}/${REPO}`, 'main')).toBe(head);
    expect(await hosts.getCommit(host.id, `${gitea.user}/${REPO}`, 'no-such-branch')).toBeNull();
  });

  test("the repositories the connection's token reaches are listed, read from Gitea", async () => {
    const repos = await ok('GET', `/api/v1/git-hosts/${host.id}/repositories`);
    expect(repos.items).toContainEqual({ fullName: `${gitea.user}/${REPO}`, private: expect.any(Boolean), defaultBranch: 'main', htmlUrl: `${gitea.url}/${gitea.user}/${REPO}` });
  });

  test('a pull request gets a preview, and closing it tears the preview down', async () => {
    const sha = repo.commit('pr first', { branch: 'feature' });
    images.push(builtImageTag(berth.config.instance, 'web', sha));
    await gitea.push(repo.dir, REPO, 'feature');
    const pr = await gitea.api<{ number: number }>('POST', `/repos/${gitea.user}/${REPO}/pulls`, { head: 'feature', base: 'main', title: 'A change' });
    expect(pr.status).toBe(201);
    const n = pr.body.number;
    const opened = await deliveryFor(sha, 'pull_request');
    expect(opened.outcome, opened.message).toBe('deployed');
    const preview = opened.results.find((r: { deploymentId: string | null }) => r.deploymentId);
    expect(preview).toMatchObject({ app: 'web', environment: `pr-${n}` });
    expect(opened.results.find((r: { app: string }) => r.app === 'web2')).toMatchObject({ deploymentId: null, note: 'the app has no pull-request rules' });
    const d = await waitForDeployment(berth, preview.deploymentId, 240_000);
    expect(d.status, d.message).toBe('succeeded');
    expect((await throughTraefik(`web.pr-${n}.localhost`)).body.trim()).toBe('pr first');
    await waitFor('the preview status on Gitea', async () => (await statusesOf(sha)).some((s) => s.context === `berth/web/pr-${n}` && s.status === 'success'), 30_000, 200);

    expect((await gitea.api('PATCH', `/repos/${gitea.user}/${REPO}/pulls/${n}`, { state: 'closed' })).status).toBe(201);
    await waitFor('the preview to be torn down', async () => (await berth.api('GET', `/api/v1/apps/web/environments/pr-${n}`)).status === 404, 60_000, 200);
    expect((await throughTraefik(`web.pr-${n}.localhost`)).status).toBe(404);
  }, 420_000);
});

describe('refused deliveries store nothing', () => {
  // A repository no app builds from: a delivery that gets through plans nothing.
  const body = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: 'a'.repeat(40), commits: [], repository: { full_name: 'berth/elsewhere' } });
  const sign = (text: string, secret = host.webhookSecret) => hmacSha256(secret, text).toString('hex');
  const send = (text: string, headers: Record<string, string>, hostId = host.id) =>
    berth.app.request(`/webhooks/gitea/${hostId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gitea-event': 'push', ...headers }, body: text });

  test('wrong, missing or replayed signatures and unknown connections → 401; over the limit → 413', async () => {
    const before = await rows();
    const id = randomUUID();
    expect((await send(body, { 'x-gitea-delivery': id, 'x-gitea-signature': sign(body, 'not-the-secret') })).status).toBe(401);
    expect((await send(body, { 'x-gitea-delivery': id })).status).toBe(401);
    // A signature Gitea made for another body, sent again with this one.
    const other = body.replace('main', 'evil');
    expect((await send(other, { 'x-gitea-delivery': id, 'x-gitea-signature': sign(body) })).status).toBe(401);
    expect((await send(body, { 'x-gitea-delivery': id, 'x-gitea-signature': sign(body).toUpperCase().replace(/^./, 'Z') })).status).toBe(401);
    expect((await send(body, { 'x-gitea-delivery': id, 'x-gitea-signature': sign(body) }, 'ghc_0000000000aaaa')).status).toBe(401);
    const big = JSON.stringify({ pad: 'x'.repeat(MAX_BYTES) });
    expect((await send(big, { 'x-gitea-delivery': id, 'x-gitea-signature': sign(big) })).status).toBe(413);
    expect(await rows()).toBe(before);
  });

  test('a correctly signed delivery is stored once: replaying it whole is a duplicate; Forgejo headers verify too', async () => {
    const before = await rows();
    const id = randomUUID();
    const first = await send(body, { 'x-gitea-delivery': id, 'x-gitea-signature': sign(body) });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ status: 'accepted', delivery: `${host.id}-${id}` });
    const again = await send(body, { 'x-gitea-delivery': id, 'x-gitea-signature': sign(body) });
    expect(await again.json()).toMatchObject({ status: 'duplicate' });
    const forgejo = await berth.app.request(`/webhooks/gitea/${host.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forgejo-event': 'push', 'x-forgejo-delivery': randomUUID(), 'x-forgejo-signature': sign(body) },
      body,
    });
    expect(await forgejo.json()).toMatchObject({ status: 'accepted' });
    expect(await rows()).toBe(before + 2);
  });
});
