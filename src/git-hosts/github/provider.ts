// GitHub behind the git-host boundary: a thin adapter over src/domain/github-events.ts, which
// GitHub's intake (api/webhooks/github.ts, verifying against every GitHub App's secret) keeps
// using as it is.
import { isHandled, parseGitEvent } from '../../domain/github-events.js';
import { hmacSha256, bytesMatch } from '../hmac.js';
import type { GitHostProvider } from '../provider.js';

const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;
const EVENT_NAME = /^[a-z0-9_]{1,64}$/;

export const githubProvider: GitHostProvider = {
  signatureHeader: 'X-Hub-Signature-256',
  verify(raw, header, secret) {
    const given = header('x-hub-signature-256');
    if (!given) return 'missing';
    const expected = Buffer.from(`sha256=${hmacSha256(secret, raw).toString('hex')}`);
    return bytesMatch(expected, Buffer.from(given)) ? 'ok' : 'mismatch';
  },
  deliveryId: (header) => {
    const id = header('x-github-delivery') ?? '';
    return DELIVERY_ID.test(id) ? id : null;
  },
  eventName: (header) => {
    const name = header('x-github-event') ?? '';
    return EVENT_NAME.test(name) ? name : null;
  },
  classify(event, payload) {
    const action = (payload as { action?: unknown } | null)?.action;
    const name = typeof action === 'string' ? action : null;
    return isHandled(event, name) ? { event, action: name } : null;
  },
  parse: (names, payload) => parseGitEvent(names.event, payload),
};
