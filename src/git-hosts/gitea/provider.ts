// Gitea and Forgejo deliveries. Both sign the raw body with HMAC-SHA256 of the webhook's secret,
// hex without a prefix, in X-Gitea-Signature (Forgejo also in X-Forgejo-Signature), and name
// the delivery (a UUID) and event in X-Gitea-Delivery / X-Gitea-Event (or X-Forgejo-*). Their
// push and pull_request payloads follow GitHub's shape closely; the differences are mapped here:
// "synchronized" for a pull request's new commits, no installations, no ping event.
import { parseGitEvent } from '../../domain/github-events.js';
import { hexSignatureMatches } from '../hmac.js';
import type { DeliveryNames, GitHostProvider, HeaderLookup } from '../provider.js';

const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

/** Gitea's pull-request actions Berth acts on, and the name Berth knows each by. */
const PULL_REQUEST_ACTIONS: Record<string, string> = { opened: 'opened', reopened: 'reopened', synchronized: 'synchronize', closed: 'closed' };

const first = (header: HeaderLookup, ...names: string[]) => names.map((n) => header(n)).find((v) => v !== undefined);

export const giteaProvider: GitHostProvider = {
  signatureHeader: 'X-Gitea-Signature',
  verify(raw, header, secret) {
    const given = first(header, 'x-gitea-signature', 'x-forgejo-signature');
    if (!given) return 'missing';
    return hexSignatureMatches(secret, raw, given) ? 'ok' : 'mismatch';
  },
  deliveryId(header) {
    const id = first(header, 'x-gitea-delivery', 'x-forgejo-delivery') ?? '';
    return DELIVERY_ID.test(id) ? id : null;
  },
  eventName(header) {
    const name = first(header, 'x-gitea-event', 'x-forgejo-event') ?? '';
    return EVENT_NAME.test(name) ? name : null;
  },
  classify(event, payload): DeliveryNames | null {
    if (event === 'push') return { event: 'push', action: null };
    if (event !== 'pull_request') return null;
    const action = (payload as { action?: unknown } | null)?.action;
    const mapped = typeof action === 'string' ? PULL_REQUEST_ACTIONS[action] : undefined;
    return mapped ? { event: 'pull_request', action: mapped } : null;
  },
  parse(names, payload) {
    if (names.event !== 'pull_request') return parseGitEvent(names.event, payload);
    // Berth's action name, and no installation: the rest is GitHub's shape (fork: head repository ≠ base).
    return parseGitEvent('pull_request', { ...(payload as object), action: names.action, installation: null, label: null });
  },
};
