// Real webhook payloads (from @octokit/webhooks-examples, GitHub's own examples collected by
// the community), signed the way GitHub signs them, sent to Berth's webhook endpoint.
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { TestBerth } from './berth.js';
import type { GitHubStandIn } from './github-stand-in.js';
import type { Json } from './json.js';

const require = createRequire(import.meta.url);
const EXAMPLES = require('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: Record<string, Json>[] }[];

/** A copy of the first example of `event` that `pick` accepts. */
export function examplePayload(event: string, pick: (p: Record<string, Json>) => boolean = () => true): Record<string, Json> {
  const found = EXAMPLES.find((e) => e.name === event)?.examples.find(pick);
  if (!found) throw new Error(`no ${event} example matches`);
  return structuredClone(found);
}

export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface Sent {
  status: number;
  body: Json;
  deliveryId: string;
}

/** POSTs a delivery. `signature: null` leaves the header out; a string replaces it. */
export async function sendDelivery(
  berth: TestBerth,
  options: { event: string; payload: unknown; secret: string; deliveryId?: string; signature?: string | null; raw?: Buffer | string },
): Promise<Sent> {
  const body = options.raw ?? JSON.stringify(options.payload);
  const deliveryId = options.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': options.event,
    'x-github-delivery': deliveryId,
    'user-agent': 'GitHub-Hookshot/test',
  };
  const signature = options.signature === undefined ? sign(options.secret, body) : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const res = await berth.app.request('/webhooks/github', { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed, deliveryId };
}

/** Runs the GitHub App manifest flow and the installation callback through Berth's API. */
export async function setUpGitHubApp(berth: TestBerth, github: GitHubStandIn, installationId: number): Promise<void> {
  const started = await berth.api('POST', '/api/v1/github/app/manifest', { name: 'Berth test' });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const back = await berth.app.request(`/github/app/callback?code=${github.issueManifestCode()}&state=${encodeURIComponent(started.body.state)}`);
  expect(back.status, await back.clone().text()).toBe(302);
  const installUrl = new URL(back.headers.get('location') as string);
  const installed = await berth.app.request(
    `/github/installations/callback?installation_id=${installationId}&setup_action=install&state=${encodeURIComponent(installUrl.searchParams.get('state') as string)}`,
  );
  expect(installed.status, await installed.clone().text()).toBe(202);
}

/** A push of `sha` to `branch` of `repository`, from a real push example. */
export function pushPayload(options: { repository: string; branch?: string; tag?: string; sha: string; installationId: number | null; files?: string[] }) {
  const p = examplePayload('push', (x) => x.ref === 'refs/heads/master' && x.installation);
  p.ref = options.tag ? `refs/tags/${options.tag}` : `refs/heads/${options.branch ?? 'main'}`;
  p.after = options.sha;
  p.created = false;
  p.deleted = false;
  p.repository.full_name = options.repository;
  p.repository.name = options.repository.split('/')[1];
  if (options.installationId === null) delete p.installation;
  else p.installation = { ...p.installation, id: options.installationId };
  if (options.files) p.commits = [{ ...p.commits[0], id: options.sha, added: [], removed: [], modified: options.files }];
  return p;
}

/** A pull-request event from a real example. */
export function pullRequestPayload(options: {
  repository: string;
  action: string;
  number: number;
  head: string;
  headSha: string;
  base?: string;
  installationId: number;
  /** A fork's owner/name as the head repository (null: the fork was deleted); default: the repository itself. */
  headRepository?: string | null;
  label?: string;
  sender?: string;
}) {
  const p = examplePayload('pull_request', (x) => x.action === 'opened');
  p.action = options.action;
  p.number = options.number;
  p.pull_request.number = options.number;
  p.pull_request.head.ref = options.head;
  p.pull_request.head.sha = options.headSha;
  p.pull_request.base.ref = options.base ?? 'main';
  p.repository.full_name = options.repository;
  p.pull_request.base.repo.full_name = options.repository;
  if (options.headRepository === null) p.pull_request.head.repo = null;
  else p.pull_request.head.repo.full_name = options.headRepository ?? options.repository;
  if (options.label) p.label = { ...examplePayload('pull_request', (x) => x.action === 'labeled').label, name: options.label };
  if (options.sender) p.sender.login = options.sender;
  p.installation = { id: options.installationId, node_id: 'x' };
  return p;
}
