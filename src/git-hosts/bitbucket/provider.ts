// Bitbucket Cloud deliveries. A webhook with a secret signs the raw body with HMAC-SHA256 of it,
// sent as X-Hub-Signature: sha256=<hex>; X-Event-Key names the event (repo:push,
// pullrequest:created …) and X-Request-UUID the delivery. Bitbucket's payloads are its own
// shape, mapped here to Berth's events: a push lists its ref changes (push.changes[]: new/old
// branch or tag, null when created or deleted) and names no files; a pull request names its
// source and destination branch, repository and commit, the commit by an abbreviated hash
// (the delivery's plan resolves it through the API).
import { z } from 'zod';
import { isFork } from '../../domain/fork-policy.js';
import type { GitEvent } from '../../domain/github-events.js';
import { bytesMatch, hmacSha256 } from '../hmac.js';
import type { DeliveryNames, GitHostProvider } from '../provider.js';

const DELIVERY_ID = /^\{?([A-Za-z0-9-]{1,64})\}?$/;
const EVENT_KEY = /^[a-z_]{1,32}:[a-z_]{1,32}$/;
const ZERO_SHA = '0'.repeat(40);

/** Bitbucket's pull-request events Berth acts on, and the action Berth knows each by. */
const PULL_REQUEST_EVENTS: Record<string, string> = {
  'pullrequest:created': 'opened',
  // Sent for new commits and for edits alike: a preview already at the head commit is left be.
  'pullrequest:updated': 'synchronize',
  'pullrequest:fulfilled': 'closed',
  'pullrequest:rejected': 'closed',
};

const Repository = z.object({ full_name: z.string().min(1) });
const Ref = z.object({ type: z.enum(['branch', 'tag', 'named_branch', 'bookmark']), name: z.string().min(1), target: z.object({ hash: z.string(), message: z.string().optional() }) });
const Change = z.object({ new: Ref.nullish(), old: Ref.nullish(), created: z.boolean().optional(), closed: z.boolean().optional() });
const Push = z.object({ repository: Repository, push: z.object({ changes: z.array(Change).min(1) }) });
const Side = z.object({ branch: z.object({ name: z.string().min(1) }), commit: z.object({ hash: z.string().regex(/^[0-9a-f]{7,40}$/) }), repository: Repository.nullish() });
const PullRequest = z.object({
  repository: Repository,
  pullrequest: z.object({ id: z.number().int().positive(), source: Side, destination: Side }),
  actor: z.object({ nickname: z.string().optional() }).nullish(),
});

function parsePush(payload: unknown): GitEvent {
  const p = Push.parse(payload);
  // One stored delivery per change (see split); a payload of several is read by its first.
  const change = p.push.changes[0] as z.infer<typeof Change>;
  const ref = change.new ?? change.old;
  if (!ref) throw new Error('a change names neither a new nor an old ref');
  const tag = ref.type === 'tag' ? ref.name : null;
  return {
    kind: 'push',
    repository: p.repository.full_name,
    installationId: null,
    branch: tag === null && (ref.type === 'branch' || ref.type === 'named_branch') ? ref.name : null,
    tag,
    sha: change.new?.target.hash ?? ZERO_SHA,
    deleted: !change.new,
    // Bitbucket lists no files per commit: path filters cannot be decided (treated as unknown).
    changedPaths: null,
    message: change.new?.target.message ?? null,
  };
}

function parsePullRequest(action: string, payload: unknown): GitEvent {
  const p = PullRequest.parse(payload);
  const { source, destination, id } = p.pullrequest;
  const headRepository = source.repository?.full_name ?? null;
  const base = destination.repository?.full_name ?? p.repository.full_name;
  return {
    kind: 'pull_request',
    action: action as 'opened' | 'synchronize' | 'closed',
    repository: p.repository.full_name,
    installationId: null,
    number: id,
    head: source.branch.name,
    headSha: source.commit.hash,
    base: destination.branch.name,
    headRepository,
    fork: isFork(headRepository, base),
    label: null,
    sender: p.actor?.nickname ?? null,
  };
}

export const bitbucketProvider: GitHostProvider = {
  signatureHeader: 'X-Hub-Signature',
  verify(raw, header, secret) {
    const given = header('x-hub-signature');
    if (!given) return 'missing';
    const expected = Buffer.from(`sha256=${hmacSha256(secret, raw).toString('hex')}`);
    return bytesMatch(expected, Buffer.from(given)) ? 'ok' : 'mismatch';
  },
  deliveryId(header) {
    return DELIVERY_ID.exec(header('x-request-uuid') ?? '')?.[1] ?? null;
  },
  eventName(header) {
    const name = header('x-event-key') ?? '';
    return EVENT_KEY.test(name) ? name : null;
  },
  classify(event): DeliveryNames | null {
    if (event === 'repo:push') return { event: 'push', action: null };
    const action = PULL_REQUEST_EVENTS[event];
    return action ? { event: 'pull_request', action } : null;
  },
  split(names, payload) {
    // A push of several refs at once (a branch and its tag) is one delivery of several changes:
    // each becomes a push of its own, so every ref is matched against the rules.
    if (names.event !== 'push') return [payload];
    const changes = (payload as { push?: { changes?: unknown } }).push?.changes;
    if (!Array.isArray(changes) || changes.length < 2) return [payload];
    return changes.map((change) => ({ ...payload, push: { ...(payload as { push: object }).push, changes: [change] } }));
  },
  parse(names, payload) {
    if (names.event === 'push') return parsePush(payload);
    if (names.event === 'pull_request' && names.action) return parsePullRequest(names.action, payload);
    throw new Error(`${names.event} is not a Bitbucket event Berth reads`);
  },
};
