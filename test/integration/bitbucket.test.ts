// Bitbucket Cloud against a local stand-in (test/support/bitbucket-stand-in.ts: its 2.0 REST API
// and git over smart HTTP, both checking the access token). Deliveries are sent in Bitbucket's
// documented shapes and headers, signed with X-Hub-Signature (HMAC-SHA256 of the raw body). A
// push deploys both apps of the repository, live through Traefik, with build statuses read back
// from the stand-in; a pull request (its commit named by an abbreviated hash, as Bitbucket does)
// gets a preview, left be on an edit, torn down when merged; refused deliveries store nothing.
import { ok as okOf, setUpHostApps } from '../support/git-host-apps.js';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gitHosts, webhookDeliveries } from '../../db/schema/index.js';
import { builtImageTag } from '../../src/domain/git-build.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { signedDelivery, startBitbucketStandIn, type BitbucketStandIn } from '../support/bitbucket-stand-in.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { removeImages } from '../support/images.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const MAX_BYTES = 64 * 1024;
const REPO = 'acme/web';
const SECRET = `bb-secret-${randomUUID()}`;
let bitbucket: BitbucketStandIn;
let berth: TestBerth;
let repo: LocalRepo;
let bare: string;
let host: { id: string; webhookPath: string };
const images: string[] = [];

const ok = (method: string, path: string, body?: unknown) => okOf(berth, method, path, body);

beforeAll(async () => {
  bitbucket = await startBitbucketStandIn();
  bare = bitbucket.createRepo(REPO);
  bitbucket.createRepo('acme/api');
  bitbucket.createRepo('acme/docs');
  berth = await startBerth({ env: { BERTH_WEBHOOK_MAX_BYTES: String(MAX_BYTES) } });
  repo = createLocalRepo();
  host = await ok('POST', '/api/v1/git-hosts', { name: 'bb', kind: 'bitbucket', baseUrl: bitbucket.url, accessToken: bitbucket.token, webhookSecret: SECRET });
  await setUpHostApps(berth, { project: 'bb', apps: ['bb', 'bb2'], repository: REPO, gitHostId: host.id });
});

afterAll(async () => {
  await berth?.close();
  await bitbucket?.close();
  repo?.remove();
  removeImages(...images);
});

const rows = async () => (await berth.database.db.select({ n: count() }).from(webhookDeliveries))[0]?.n ?? 0;
const repository = { type: 'repository', name: 'web', full_name: REPO, uuid: '{4c2f3d6e-0000-4000-8000-000000000001}', is_private: true, scm: 'git', links: { html: { href: `https://bitbucket.org/${REPO}` } } };
const actor = { type: 'user', display_name: 'Jo Smith', nickname: 'jsmith', uuid: '{6f1c1e86-0000-4000-8000-000000000002}' };
const commit = (hash: string, message = 'change\n') => ({ type: 'commit', hash, message, date: '2026-11-30T01:00:00+00:00', author: { raw: 'Jo Smith <jo@example.com>' } });

/** A change of a repo:push as Bitbucket documents it: new null when a ref is deleted, old null when created. */
const change = (type: 'branch' | 'tag', name: string, hash: string | null, old: string | null = 'e'.repeat(40)) => ({
  new: hash ? { type, name, target: commit(hash) } : null,
  old: old ? { type, name, target: commit(old) } : null,
  created: old === null,
  closed: hash === null,
  forced: false,
  truncated: false,
  commits: hash ? [commit(hash)] : [],
});
const repoPush = (...changes: ReturnType<typeof change>[]) => ({ actor, repository, push: { changes } });

/** A pullrequest:* payload as Bitbucket documents it: commits named by abbreviated (12-digit) hashes. */
const pullRequest = (id: number, sha: string, state = 'OPEN') => ({
  actor,
  repository,
  pullrequest: {
    id,
    type: 'pullrequest',
    title: 'A change',
    state,
    author: actor,
    source: { branch: { name: 'feature' }, commit: { hash: sha.slice(0, 12) }, repository },
    destination: { branch: { name: 'main' }, commit: { hash: 'e'.repeat(12) }, repository },
    close_source_branch: false,
    links: { html: { href: `https://bitbucket.org/${REPO}/pull-requests/${id}` } },
  },
});

function send(eventKey: string, payload: unknown, headers?: Record<string, string>, path = host.webhookPath) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return berth.app.request(path, { method: 'POST', headers: headers ?? signedDelivery(SECRET, eventKey, body), body });
}

async function processedId(delivery: string) {
  return waitFor(`delivery ${delivery}`, async () => {
    const d = await berth.api('GET', `/api/v1/github/deliveries/${delivery}`);
    return d.body?.outcome && d.body.outcome !== 'pending' ? d.body : undefined;
  });
}

async function processed(res: Response) {
  expect(res.status).toBe(202);
  return processedId(((await res.json()) as { delivery: string }).delivery);
}

/** The build statuses on a commit, read back from the stand-in's API as Bitbucket would list them. */
async function statusesOf(sha: string) {
  const res = await fetch(`${bitbucket.url}/2.0/repositories/${REPO}/commit/${sha}/statuses`, { headers: { authorization: `Bearer ${bitbucket.token}` } });
  return ((await res.json()) as { values: { key: string; state: string; url: string }[] }).values;
}

describe('Bitbucket Cloud', () => {
  test('its access token and webhook secret are sealed at rest and never returned; its repositories are listed', async () => {
    const listed = await ok('GET', '/api/v1/git-hosts');
    expect(listed.items).toMatchObject([{ id: host.id, kind: 'bitbucket', webhookPath: `/webhooks/bitbucket/${host.id}` }]);
    expect(JSON.stringify(listed)).not.toContain(bitbucket.token);
    const [row] = await berth.database.db.select().from(gitHosts).where(eq(gitHosts.id, host.id));
    expect(row?.accessTokenSealed).toMatch(/^v2\.[0-9a-z]+\./);
    expect(row?.webhookSecretSealed).toMatch(/^v2\.[0-9a-z]+\./);
    expect(JSON.stringify(row)).not.toContain(bitbucket.token);
    expect(JSON.stringify(row)).not.toContain(SECRET);
    // Read from the host through a workflow, with the sealed token, across its pages.
    const repos = await ok('GET', `/api/v1/git-hosts/${host.id}/repositories`);
    expect(repos.items).toEqual([
      { fullName: 'acme/web', private: true, defaultBranch: 'main', htmlUrl: `${bitbucket.url}/acme/web` },
      { fullName: 'acme/api', private: true, defaultBranch: 'main', htmlUrl: `${bitbucket.url}/acme/api` },
      { fullName: 'acme/docs', private: true, defaultBranch: 'main', htmlUrl: `${bitbucket.url}/acme/docs` },
    ]);
    expect(bitbucket.calls.filter((c) => c.path.startsWith('/2.0/repositories?')).map((c) => c.authorized)).toEqual([true, true]);
    expect((await berth.api('GET', '/api/v1/git-hosts/ghc_0000000000aaaa/repositories')).status).toBe(404);
    // Credentials Bitbucket refuses: a clear 409 saying so (the connection needs fixing).
    const stale = await ok('POST', '/api/v1/git-hosts', { name: 'bb-stale', kind: 'bitbucket', baseUrl: bitbucket.url, accessToken: `${bitbucket.token}-revoked` });
    const refused = await berth.api('GET', `/api/v1/git-hosts/${stale.id}/repositories`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/refused GET \/2\.0\/repositories \(HTTP 401\)/);
    await ok('DELETE', `/api/v1/git-hosts/${stale.id}`);
  });

  test('a push deploys both apps of the repository, live through Traefik, with build statuses on Bitbucket', async () => {
    const sha = repo.commit('bb v1');
    images.push(builtImageTag(berth.config.instance, 'bb', sha), builtImageTag(berth.config.instance, 'bb2', sha));
    execFileSync('git', ['push', '-q', bare, 'main'], { cwd: repo.dir });
    const delivery = await processed(await send('repo:push', repoPush(change('branch', 'main', sha))));
    expect(delivery.outcome, delivery.message).toBe('deployed');
    expect(delivery.repository).toBe(REPO);
    expect(delivery.results.map((r: { app: string }) => r.app).sort()).toEqual(['bb', 'bb2']);
    for (const r of delivery.results as { app: string; deploymentId: string }[]) {
      const d = await waitForDeployment(berth, r.deploymentId, 240_000);
      expect(d.status, d.message).toBe('succeeded');
      expect((await throughTraefik(`${r.app}.prod.localhost`)).body.trim()).toBe('bb v1');
    }
    await waitFor('the successful build statuses', async () => (await statusesOf(sha)).filter((s) => s.state === 'SUCCESSFUL').length === 2);
    expect((await statusesOf(sha)).map((s) => s.key).sort()).toEqual(['berth/bb/prod', 'berth/bb2/prod']);
    const posted = bitbucket.calls.filter((c) => c.method === 'POST' && c.path === `/2.0/repositories/${REPO}/commit/${sha}/statuses/build`);
    expect(posted.every((c) => c.authorized)).toBe(true);
    expect(posted.filter((c) => c.body?.key === 'berth/bb/prod').map((c) => c.body?.state)).toEqual(['INPROGRESS', 'SUCCESSFUL']);
  }, 420_000);

  test('a push of several refs is one delivery per ref; a deleted branch builds nothing', async () => {
    const res = await send('repo:push', repoPush(change('branch', 'elsewhere', 'a'.repeat(40)), change('tag', 'v0.1', 'a'.repeat(40), null), change('branch', 'gone', null)));
    const answer = (await res.json()) as { deliveries: string[]; status: string };
    expect(answer.status).toBe('accepted');
    expect(answer.deliveries).toHaveLength(3);
    const outcomes = await Promise.all(answer.deliveries.map(processedId));
    expect(outcomes.map((d) => d.outcome)).toEqual(['no-match', 'no-match', 'ignored']);
    expect(outcomes[1].message).toContain('tag v0.1');
    expect(outcomes[2].message).toContain('branch gone was deleted');
  });

  test('a pull request gets a preview (its abbreviated hash resolved); an edit leaves it be; merging it tears it down', async () => {
    const sha = repo.commit('bb pr', { branch: 'feature' });
    images.push(builtImageTag(berth.config.instance, 'bb', sha));
    execFileSync('git', ['push', '-q', bare, 'feature'], { cwd: repo.dir });
    const opened = await processed(await send('pullrequest:created', pullRequest(7, sha)));
    const preview = opened.results.find((r: { deploymentId: string | null }) => r.deploymentId);
    expect(preview).toMatchObject({ app: 'bb', environment: 'pr-7' });
    const d = await waitForDeployment(berth, preview.deploymentId, 240_000);
    expect(d.status, d.message).toBe('succeeded');
    // The delivery named the commit by 12 digits; Berth asked Bitbucket for the full hash.
    expect(bitbucket.calls.some((c) => c.method === 'GET' && c.path === `/2.0/repositories/${REPO}/commit/${sha.slice(0, 12)}` && c.authorized)).toBe(true);
    expect((await throughTraefik('bb.pr-7.localhost')).body.trim()).toBe('bb pr');
    await waitFor('the preview status', async () => (await statusesOf(sha)).some((s) => s.key === 'berth/bb/pr-7' && s.state === 'SUCCESSFUL'));
    // A title change: pullrequest:updated at the same commit.
    const edited = await processed(await send('pullrequest:updated', pullRequest(7, sha)));
    expect(edited.outcome, edited.message).toBe('ignored');
    expect(edited.message).toContain('already at');
    const merged = await processed(await send('pullrequest:fulfilled', pullRequest(7, sha, 'MERGED')));
    expect(merged.outcome).toBe('teardown');
    await waitFor('the preview to go', async () => (await berth.api('GET', '/api/v1/apps/bb/environments/pr-7')).status === 404, 60_000, 200);
  }, 420_000);

  test('a wrong, missing or SHA-1 signature and unknown connections → 401; over the limit → 413; a replayed delivery → duplicate; unhandled events → ignored', async () => {
    const before = await rows();
    const payload = JSON.stringify(repoPush(change('branch', 'elsewhere', 'd'.repeat(40))));
    const headers = signedDelivery(SECRET, 'repo:push', payload);
    expect((await send('repo:push', payload, { ...headers, 'x-hub-signature': signedDelivery(`${SECRET}x`, 'repo:push', payload)['x-hub-signature'] as string })).status).toBe(401);
    expect((await send('repo:push', `${payload} `, headers)).status).toBe(401);
    const { 'x-hub-signature': _, ...unsigned } = headers;
    const missing = await send('repo:push', payload, unsigned);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { message: expect.stringContaining('X-Hub-Signature') } });
    expect((await send('repo:push', payload, { ...headers, 'x-hub-signature': (headers['x-hub-signature'] as string).replace('sha256=', 'sha1=') })).status).toBe(401);
    expect((await send('repo:push', payload, headers, '/webhooks/bitbucket/ghc_0000000000aaaa')).status).toBe(401);
    const big = JSON.stringify({ pad: 'x'.repeat(MAX_BYTES) });
    expect((await send('repo:push', big)).status).toBe(413);
    expect(await rows()).toBe(before);
    expect(await (await send('repo:push', payload, headers)).json()).toMatchObject({ status: 'accepted' });
    // The same request again (same X-Request-UUID, as a redelivery or a replay sends it): stored once.
    expect(await (await send('repo:push', payload, headers)).json()).toMatchObject({ status: 'duplicate' });
    expect(await (await send('repo:fork', JSON.stringify({ actor, repository, fork: repository }))).json()).toMatchObject({ status: 'ignored' });
    expect(await rows()).toBe(before + 1);
  });
});
