// GitLab deliveries (gitlab.com or self-managed). Verified by X-Gitlab-Token, the webhook's
// secret token, compared in constant time; a delivery signed with GitLab's signed-webhook
// headers (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) is verified by
// its signature and timestamp window instead, keyed with the same secret. Push, tag push and
// merge request events become Berth's push and pull_request events.
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseGitEvent } from '../../domain/github-events.js';
import { verifyStandard } from '../generic/standard-webhooks.js';
import type { DeliveryNames, GitHostProvider } from '../provider.js';

const DELIVERY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EVENTS: Record<string, 'push' | 'pull_request'> = { 'Push Hook': 'push', 'Tag Push Hook': 'push', 'Merge Request Hook': 'pull_request', 'System Hook': 'push' };

/** Merge request actions Berth acts on ("update" only when it brought new commits). */
function mergeRequestAction(payload: unknown): string | null {
  const attrs = (payload as { object_attributes?: { action?: unknown; oldrev?: unknown } } | null)?.object_attributes;
  switch (attrs?.action) {
    case 'open':
      return 'opened';
    case 'reopen':
      return 'reopened';
    case 'update':
      return typeof attrs.oldrev === 'string' ? 'synchronize' : null;
    case 'close':
    case 'merge':
      return 'closed';
    default:
      return null;
  }
}

/** Equal-length digests, so the comparison takes the same time whatever the token's length. */
const tokenMatches = (given: string, secret: string) =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(secret).digest());

interface Project {
  path_with_namespace?: string;
}

export const gitlabProvider: GitHostProvider = {
  signatureHeader: 'X-Gitlab-Token',
  verify(raw, header, secret) {
    if (header('webhook-signature') !== undefined) {
      const signed = verifyStandard(raw, header, secret);
      return signed.ok ? 'ok' : signed.reason;
    }
    const token = header('x-gitlab-token');
    if (!token) return 'missing';
    return tokenMatches(token, secret) ? 'ok' : 'mismatch';
  },
  deliveryId(header) {
    const id = header('webhook-id') ?? header('x-gitlab-event-uuid') ?? '';
    return DELIVERY_ID.test(id) ? id : null;
  },
  eventName(header) {
    const name = header('x-gitlab-event') ?? '';
    return name in EVENTS ? name : null;
  },
  classify(event, payload): DeliveryNames | null {
    const kind = (payload as { object_kind?: unknown } | null)?.object_kind;
    if (EVENTS[event] === 'push' && (kind === 'push' || kind === 'tag_push')) return { event: 'push', action: null };
    if (EVENTS[event] === 'pull_request' && kind === 'merge_request') {
      const action = mergeRequestAction(payload);
      return action ? { event: 'pull_request', action } : null;
    }
    return null;
  },
  parse(names, payload) {
    const p = payload as Record<string, unknown> & { project?: Project };
    const repository = { full_name: p.project?.path_with_namespace };
    if (names.event === 'push') {
      // GitLab's push payload is GitHub's but for the repository, named by its project path.
      return parseGitEvent('push', { ...p, repository, installation: null, head_commit: null });
    }
    const mr = (p.object_attributes ?? {}) as { iid?: number; source_branch?: string; target_branch?: string; last_commit?: { id?: string }; source?: Project; target?: Project };
    return parseGitEvent('pull_request', {
      action: names.action,
      number: mr.iid,
      pull_request: {
        head: { ref: mr.source_branch, sha: mr.last_commit?.id, repo: mr.source?.path_with_namespace ? { full_name: mr.source.path_with_namespace } : null },
        base: { ref: mr.target_branch, repo: { full_name: mr.target?.path_with_namespace ?? repository.full_name } },
      },
      repository,
      installation: null,
      label: null,
    });
  },
};
