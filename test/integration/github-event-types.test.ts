// GitHub's intake answers every event GitHub may send: each documented event type, correctly
// signed, gets a 2xx (the ones Berth acts on stored, the others answered as ignored, none
// refused as malformed), and deliveries of the form-encoded content type GitHub also offers
// (payload=<URL-encoded JSON>) are verified over the bytes sent and handled like JSON ones.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { webhookDeliveries } from '../../db/schema/index.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.js';
import { waitFor } from '../support/wait.js';
import { pushPayload, sendDelivery, setUpGitHubApp, sign } from '../support/webhooks.js';

const INSTALLATION = 9201;
const MAX_BYTES = 256 * 1024;
const HANDLED = ['ping', 'push', 'pull_request', 'installation', 'installation_repositories'];
const EXAMPLES = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: Record<string, unknown>[] }[];
/** The event names of GitHub's "Webhook events and payloads" page (some have no example above). */
const DOCUMENTED_EVENTS = [
  'branch_protection_configuration', 'branch_protection_rule', 'check_run', 'check_suite', 'code_scanning_alert', 'commit_comment', 'create', 'custom_property',
  'custom_property_values', 'delete', 'dependabot_alert', 'deploy_key', 'deployment', 'deployment_protection_rule', 'deployment_review', 'deployment_status',
  'discussion', 'discussion_comment', 'fork', 'github_app_authorization', 'gollum', 'installation', 'installation_repositories', 'installation_target',
  'issue_comment', 'issue_dependencies', 'issues', 'label', 'marketplace_purchase', 'member', 'membership', 'merge_group', 'meta', 'milestone', 'org_block',
  'organization', 'package', 'page_build', 'personal_access_token_request', 'ping', 'project', 'project_card', 'project_column', 'projects_v2',
  'projects_v2_item', 'projects_v2_status_update', 'public', 'pull_request', 'pull_request_review', 'pull_request_review_comment', 'pull_request_review_thread',
  'push', 'registry_package', 'release', 'repository', 'repository_advisory', 'repository_dispatch', 'repository_import', 'repository_ruleset',
  'repository_vulnerability_alert', 'secret_scanning_alert', 'secret_scanning_alert_location', 'secret_scanning_scan', 'security_advisory',
  'security_and_analysis', 'sponsorship', 'star', 'status', 'sub_issues', 'team', 'team_add', 'watch', 'workflow_dispatch', 'workflow_job', 'workflow_run',
];
let berth: TestBerth;
let github: GitHubStandIn;
let secret: string;

beforeAll(async () => {
  github = await startGitHubStandIn({ installations: [{ id: INSTALLATION, account: 'octo-org', repositories: [] }] });
  berth = await startBerth({ env: { BERTH_GITHUB_API_URL: github.url, BERTH_GITHUB_WEB_URL: github.webUrl, BERTH_WEBHOOK_MAX_BYTES: String(MAX_BYTES) } });
  await setUpGitHubApp(berth, github, INSTALLATION);
  secret = github.app.webhookSecret;
});

afterAll(async () => {
  await berth?.close();
  await github?.close();
});

const rows = async () => (await berth.database.db.select({ n: count() }).from(webhookDeliveries))[0]?.n ?? 0;
const processed = (id: string) =>
  waitFor(`delivery ${id} to be processed`, async () => {
    const res = await berth.api('GET', `/api/v1/github/deliveries/${id}`);
    return res.body?.outcome && res.body.outcome !== 'pending' ? res.body : undefined;
  });

describe('GitHub event types and content types', () => {
  test('every documented event, signed, is answered 2xx: handled ones stored, the rest ignored, none refused', async () => {
    const before = await rows();
    let stored = 0;
    const examples = EXAMPLES.flatMap(({ name, examples: list }) => list.map((payload) => ({ name, payload })));
    const bare = DOCUMENTED_EVENTS.map((name) => ({ name, payload: { action: 'created', sender: { login: 'octocat' } } as Record<string, unknown> }));
    for (const { name, payload } of [...examples, ...bare]) {
      const sent = await sendDelivery(berth, { event: name, payload, secret });
      expect(sent.status, `${name}.${String(payload.action)}: ${JSON.stringify(sent.body)}`).toBe(202);
      expect(['accepted', 'ignored'], name).toContain(sent.body.status);
      if (!HANDLED.includes(name)) expect(sent.body.status, name).toBe('ignored');
      if (sent.body.status === 'accepted') stored++;
    }
    expect(examples.length).toBeGreaterThan(200);
    expect(stored).toBeGreaterThan(10);
    expect(await rows()).toBe(before + stored);
  });

  test('a form-encoded delivery (payload=…) is verified over the bytes sent, stored as its JSON and processed', async () => {
    const payload = pushPayload({ repository: 'octo-org/nothing-here', branch: 'form', sha: 'f'.repeat(40), installationId: INSTALLATION });
    const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const send = (body: string, signature = sign(secret, body), deliveryId = randomUUID()) =>
      berth.app.request('/webhooks/github', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push', 'x-github-delivery': deliveryId, 'x-hub-signature-256': signature },
        body,
      });
    const before = await rows();
    // Signed over the JSON inside rather than the bytes sent: refused.
    expect((await send(raw, sign(secret, JSON.stringify(payload)))).status).toBe(401);
    const noPayload = await send('other=1');
    expect(noPayload.status).toBe(400);
    expect(((await noPayload.json()) as { error: { message: string } }).error.message).toMatch(/payload field/);
    expect(await rows()).toBe(before);
    const id = randomUUID();
    const res = await send(raw, undefined, id);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ delivery: id, status: 'accepted' });
    expect(await processed(id)).toMatchObject({ event: 'push', repository: 'octo-org/nothing-here', outcome: 'no-match' });
    const [row] = await berth.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
    expect(JSON.parse(row?.payload ?? '')).toEqual(payload);
  });
});
