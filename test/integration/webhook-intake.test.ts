// The GitHub webhook endpoint and the GitHub App setup, against the real database and Temporal
// server and a local stand-in for GitHub's API: signatures over the raw bytes, one row per
// delivery, redeliveries that do nothing new, outcomes in the deliveries list, installation
// sync, and the manifest flow's CSRF checks and sealed secrets.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { githubApps, githubInstallations, githubRepositories, webhookDeliveries } from '../../db/schema/index.js';
import { deliveryWorkflowId, intakeKey, intakeWorkflowId, REPOSITORY_SYNC_SCHEDULE_ID } from '../../src/domain/workflow-ids.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.js';
import { waitFor } from '../support/wait.js';
import { examplePayload, pushPayload, sendDelivery, setUpGitHubApp, sign } from '../support/webhooks.js';

const INSTALLATION = 9101;
const MAX_BYTES = 64 * 1024;
let berth: TestBerth;
let github: GitHubStandIn;
let secret: string;

beforeAll(async () => {
  github = await startGitHubStandIn({
    installations: [
      {
        id: INSTALLATION,
        account: 'octo-org',
        repositories: [
          { id: 501, full_name: 'octo-org/web', clone_url: 'https://git.invalid/octo-org/web.git' },
          { id: 502, full_name: 'octo-org/api', clone_url: 'https://git.invalid/octo-org/api.git' },
        ],
      },
    ],
  });
  berth = await startBerth({
    env: { BERTH_GITHUB_API_URL: github.url, BERTH_GITHUB_WEB_URL: github.webUrl, BERTH_WEBHOOK_MAX_BYTES: String(MAX_BYTES) },
  });
  await setUpGitHubApp(berth, github, INSTALLATION);
  secret = github.app.webhookSecret;
});

afterAll(async () => {
  await berth?.close();
  await github?.close();
});

const rows = async () => (await berth.database.db.select({ n: count() }).from(webhookDeliveries))[0]?.n ?? 0;
const delivery = (id: string) => berth.api('GET', `/api/v1/github/deliveries/${id}`);
const processed = (id: string) =>
  waitFor(`delivery ${id} to be processed`, async () => {
    const res = await delivery(id);
    return res.body?.outcome && res.body.outcome !== 'pending' ? res.body : undefined;
  });

describe('GitHub App setup', () => {
  test('the manifest flow stores the app sealed and the installation callback syncs its repositories', async () => {
    const app = await berth.api('GET', '/api/v1/github/app');
    expect(app.status).toBe(200);
    expect(app.body.appId).toBe(github.app.id);
    const text = JSON.stringify(app.body);
    expect(text).not.toContain(github.app.webhookSecret);
    expect(text).not.toContain('PRIVATE KEY');

    // At rest: sealed, not the values GitHub handed out.
    const [row] = await berth.database.db.select().from(githubApps);
    expect(row?.privateKeySealed).toMatch(/^v2\./);
    expect(JSON.stringify(row)).not.toContain(github.app.webhookSecret);
    expect(JSON.stringify(row)).not.toContain('BEGIN RSA');

    const repos = await waitFor('repositories to sync', async () => {
      const res = await berth.api('GET', `/api/v1/github/installations/${INSTALLATION}/repositories`);
      return res.body?.items?.length === 2 ? res.body.items : undefined;
    });
    expect(repos.map((r: { fullName: string }) => r.fullName)).toEqual(['octo-org/api', 'octo-org/web']);
    const installations = await berth.api('GET', '/api/v1/github/installations');
    expect(installations.body.items).toMatchObject([{ id: INSTALLATION, account: 'octo-org', removed: false }]);
    // The stand-in checked every app call against the app's real key.
    expect(github.calls.filter((c) => c.auth === 'invalid')).toEqual([]);
    expect(github.calls.some((c) => c.path === `/app/installations/${INSTALLATION}/access_tokens` && c.auth === 'jwt')).toBe(true);
  });

  test('a Temporal Schedule syncs every installation; triggering it runs the sync', async () => {
    const schedule = berth.temporal.schedule.getHandle(REPOSITORY_SYNC_SCHEDULE_ID);
    const described = await schedule.describe();
    expect(described.spec.intervals?.[0]?.every).toBe(60 * 60_000);
    const before = github.calls.filter((c) => c.path === '/app/installations').length;
    await schedule.trigger();
    await waitFor('the scheduled sync to list installations', async () => github.calls.filter((c) => c.path === '/app/installations').length > before);
  });

  test('callbacks refuse a state that is unknown, reused or issued for the other step', async () => {
    const code = github.issueManifestCode();
    const forged = await berth.app.request(`/github/app/callback?code=${code}&state=made-up`);
    expect(forged.status).toBe(403);
    const started = await berth.api('POST', '/api/v1/github/app/manifest', {});
    // A manifest state is no good for the installation callback…
    const wrongStep = await berth.app.request(`/github/installations/callback?installation_id=1&state=${started.body.state}`);
    expect(wrongStep.status).toBe(403);
    expect(((await wrongStep.json()) as { error: { type: string } }).error.type).toBe('Forbidden');
    // …and a state is consumed by its first use, even a refused one.
    const again = await berth.app.request(`/github/app/callback?code=${code}&state=${started.body.state}`);
    expect(again.status).toBe(403);
    expect(await berth.database.db.select({ n: count() }).from(githubApps)).toEqual([{ n: 1 }]);
    // The manifest itself points GitHub at Berth.
    expect(started.body.manifest.hook_attributes.url).toBe(`${berth.config.api.publicUrl}/webhooks/github`);
    expect(started.body.manifest.default_permissions).toMatchObject({ statuses: 'write', deployments: 'write', contents: 'read' });
  });
});

describe('webhook intake', () => {
  test('a real ping, signed, is stored once and processed', async () => {
    const before = await rows();
    const sent = await sendDelivery(berth, { event: 'ping', payload: examplePayload('ping'), secret });
    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('accepted');
    expect(await rows()).toBe(before + 1);
    const d = await processed(sent.deliveryId);
    expect(d).toMatchObject({ event: 'ping', outcome: 'ignored' });
    // Marked dispatched too (marks are batched, so maybe a moment after).
    await waitFor('the delivery to be marked dispatched', async () => (await delivery(sent.deliveryId)).body.dispatchedAt ?? undefined);
  });

  test('a missing or wrong signature, or one changed byte, is a 401 that records nothing but a count', async () => {
    const before = await rows();
    const stats = (await berth.api('GET', '/api/v1/github/webhook-stats')).body;
    const body = JSON.stringify(examplePayload('push'));
    const signature = sign(secret, body);
    // One byte changed after signing.
    const tampered = Buffer.from(body);
    tampered[tampered.indexOf('Hello-World')] = 'h'.charCodeAt(0);
    const cases = [
      await sendDelivery(berth, { event: 'push', payload: null, raw: tampered, secret, signature }),
      await sendDelivery(berth, { event: 'push', payload: null, raw: body, secret, signature: null }),
      await sendDelivery(berth, { event: 'push', payload: null, raw: body, secret: 'not-the-secret' }),
      await sendDelivery(berth, { event: 'push', payload: null, raw: body, secret, signature: signature.replace('sha256=', 'sha1=') }),
      // Bytes that are not UTF-8 cannot carry GitHub's signature.
      await sendDelivery(berth, { event: 'push', payload: null, raw: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), secret }),
    ];
    expect(cases.map((c) => c.status)).toEqual([401, 401, 401, 401, 401]);
    expect(cases.every((c) => c.body.error.type === 'Unauthorized')).toBe(true);
    expect(await rows()).toBe(before);
    const after = (await berth.api('GET', '/api/v1/github/webhook-stats')).body;
    expect(after.rejectedSignature - stats.rejectedSignature).toBe(5);
    // The untouched body with its signature is fine.
    expect((await sendDelivery(berth, { event: 'push', payload: null, raw: body, secret, signature })).status).toBe(202);
  });

  test('too big is 413, malformed JSON (signed) is 400, other events are acknowledged and ignored', async () => {
    const before = await rows();
    const big = JSON.stringify({ ...examplePayload('push'), padding: 'x'.repeat(MAX_BYTES) });
    expect((await sendDelivery(berth, { event: 'push', payload: null, raw: big, secret })).status).toBe(413);
    const broken = await sendDelivery(berth, { event: 'push', payload: null, raw: '{"ref": "refs/heads/main",', secret });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/JSON/);
    const noDelivery = await sendDelivery(berth, { event: 'push', payload: examplePayload('push'), secret, deliveryId: 'bad id!' });
    expect(noDelivery.status).toBe(400);
    const issue = await sendDelivery(berth, { event: 'issues', payload: examplePayload('issues'), secret });
    expect(issue.status).toBe(202);
    expect(issue.body.status).toBe('ignored');
    const labeled = await sendDelivery(berth, { event: 'pull_request', payload: examplePayload('pull_request', (p) => p.action === 'assigned'), secret });
    expect(labeled.body.status).toBe('ignored');
    expect(await rows()).toBe(before);
  });

  test('the same delivery twice: one row, handled once, the second acknowledged as a duplicate', async () => {
    const payload = pushPayload({ repository: 'octo-org/nothing-here', branch: 'main', sha: 'a'.repeat(40), installationId: INSTALLATION });
    const first = await sendDelivery(berth, { event: 'push', payload, secret });
    const second = await sendDelivery(berth, { event: 'push', payload, secret, deliveryId: first.deliveryId });
    expect([first.body.status, second.body.status]).toEqual(['accepted', 'duplicate']);
    const d = await processed(first.deliveryId);
    // A push no app builds from is recorded, with why, and deploys nothing.
    expect(d).toMatchObject({ outcome: 'no-match', repository: 'octo-org/nothing-here', ref: 'refs/heads/main' });
    expect(d.message).toMatch(/no app builds from octo-org\/nothing-here/);
    expect(d.results).toEqual([]);
    const stored = await berth.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, first.deliveryId));
    expect(stored).toHaveLength(1);
    // Handed to its repository's intake workflow (no workflow of its own any more).
    let runs = 0;
    for await (const _ of berth.temporal.workflow.list({ query: `WorkflowId = "${deliveryWorkflowId(first.deliveryId)}"` })) runs++;
    expect(runs).toBe(0);
    await berth.temporal.workflow.getHandle(intakeWorkflowId(intakeKey(null, 'octo-org/nothing-here'))).describe();
    // A third copy, after processing, still does nothing new.
    expect((await sendDelivery(berth, { event: 'push', payload, secret, deliveryId: first.deliveryId })).body.status).toBe('duplicate');
  });

  test('a burst is stored first and every delivery of it still reaches its intake workflow', async () => {
    const sent = await Promise.all(Array.from({ length: 60 }, () => sendDelivery(berth, { event: 'ping', payload: examplePayload('ping'), secret })));
    expect(sent.every((s) => s.status === 202 && s.body.status === 'accepted')).toBe(true);
    for (const s of sent) expect((await processed(s.deliveryId)).outcome).toBe('ignored');
  });

  test('a delivery stored but never handed over (a crash in between) is picked up by the sweep', async () => {
    const id = `crash-${Date.now()}`;
    const payload = JSON.stringify(examplePayload('ping'));
    await berth.database.db.insert(webhookDeliveries).values({ id, event: 'ping', payload, receivedAt: new Date(Date.now() - 5_000) });
    const d = await processed(id);
    expect(d.outcome).toBe('ignored');
  });

  test('installation events sync the installation; the deliveries list shows every outcome', async () => {
    github.installations[0]?.repositories.push({ id: 503, full_name: 'octo-org/docs', clone_url: 'https://git.invalid/octo-org/docs.git' });
    const payload = examplePayload('installation_repositories', (p) => p.action === 'added');
    payload.installation.id = INSTALLATION;
    const sent = await sendDelivery(berth, { event: 'installation_repositories', payload, secret });
    const d = await processed(sent.deliveryId);
    expect(d.outcome).toBe('synced');
    expect(d.message).toMatch(/3 repositories/);
    const repos = await berth.database.db.select().from(githubRepositories).where(eq(githubRepositories.installationId, INSTALLATION));
    expect(repos.map((r) => r.fullName).sort()).toEqual(['octo-org/api', 'octo-org/docs', 'octo-org/web']);

    // Uninstalled: marked removed, repositories too, without asking GitHub.
    const deleted = examplePayload('installation', (p) => p.action === 'deleted');
    deleted.installation.id = INSTALLATION;
    await processed((await sendDelivery(berth, { event: 'installation', payload: deleted, secret })).deliveryId);
    const [installation] = await berth.database.db.select().from(githubInstallations).where(eq(githubInstallations.id, INSTALLATION));
    expect(installation?.removedAt).not.toBeNull();

    const list = await berth.api('GET', '/api/v1/github/deliveries?limit=100');
    expect(list.status).toBe(200);
    const outcomes = new Set(list.body.items.map((i: { outcome: string }) => i.outcome));
    expect([...outcomes].sort()).toEqual(['ignored', 'no-match', 'synced']);
    expect(list.body.items[0]).not.toHaveProperty('payload');
    const pushes = await berth.api('GET', '/api/v1/github/deliveries?event=push&outcome=no-match');
    expect(pushes.body.items.every((i: { event: string }) => i.event === 'push')).toBe(true);
    expect((await berth.api('GET', '/api/v1/github/deliveries?outcome=bogus')).status).toBe(400);
    expect((await berth.api('GET', '/api/v1/github/deliveries/nope-not-there')).status).toBe(404);
  });
});
