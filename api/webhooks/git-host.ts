// POST /webhooks/gitea/{git host id} (and /webhooks/gitlab/{id}, /webhooks/bitbucket/{id}):
// deliveries from a Gitea, Forgejo, GitLab or Bitbucket connection. The same
// short synchronous path as GitHub's: the connection's provider verifies the signature over
// the exact bytes received (constant time), names the event in Berth's terms, and a handled
// delivery is stored once — keyed by the connection and the host's delivery id, so a
// redelivery does nothing new — and handed to the dispatcher. Rejected requests store nothing.
import { Hono } from 'hono';
import { deliverySummary } from '../../src/domain/github-events.js';
import { providerFor } from '../../src/git-hosts/providers.js';
import type { DeliveryNames, GitHostProvider } from '../../src/git-hosts/provider.js';
import type { AppDeps, AppEnv } from '../deps.js';
import type { WebhookCounters } from './counters.js';
import { answerStored, deliveryLimit, rejectDelivery } from './intake-answers.js';
import { createDeliveryWriter } from './delivery-writer.js';
import { createGitHostSecretCache } from './git-host-secrets.js';

const HOST_ID = /^[a-z]{2,4}_[0-9a-z]{10,32}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The delivery list's columns, from Berth's reading of the payload (hosts name things differently). */
function summaryOf(provider: GitHostProvider, names: DeliveryNames, payload: object) {
  const summary = deliverySummary(payload);
  try {
    const event = provider.parse(names, payload);
    if (event.kind === 'push') return { ...summary, repository: event.repository, sha: event.sha };
    if (event.kind === 'pull_request') return { ...summary, repository: event.repository, ref: event.head, sha: event.headSha };
  } catch {
    // Not parseable: the intake workflow records why; the row keeps what could be read.
  }
  return summary;
}

/** The stored delivery's key: unique across connections (two forges may both say delivery 1). */
export const gitHostDeliveryKey = (hostId: string, deliveryId: string) => `${hostId}-${deliveryId}`;

export function gitHostWebhook(deps: AppDeps, counters: WebhookCounters) {
  const { config } = deps;
  const writer = createDeliveryWriter(deps.db);
  const secrets = createGitHostSecretCache(deps.db, deps.secretBox);
  const app = new Hono<AppEnv>();
  const reject = rejectDelivery;

  app.post(
    '/:hostId',
    deliveryLimit(config.github.webhookMaxBytes, counters),
    async (c) => {
      const hostId = c.req.param('hostId');
      const host = HOST_ID.test(hostId) ? await secrets.get(hostId) : null;
      const raw = new Uint8Array(await c.req.arrayBuffer());
      // An unknown connection reads like a bad signature: the answer does not say which ids exist.
      if (!host) {
        counters.rejectedSignature++;
        return reject(c, 401, 'signature does not match');
      }
      const provider = providerFor(host.row.kind);
      const header = (name: string) => c.req.header(name);
      const verified = provider.verify(raw, header, host.webhookSecret);
      if (verified !== 'ok') {
        counters.rejectedSignature++;
        return reject(c, 401, verified === 'missing' ? `${provider.signatureHeader} is missing` : verified === 'stale' ? 'webhook-timestamp is outside the allowed window' : 'signature does not match');
      }
      let payload: unknown;
      try {
        payload = JSON.parse(utf8.decode(raw));
      } catch {
        payload = undefined;
      }
      const event = provider.eventName(header);
      const deliveryId = provider.deliveryId(header);
      if (!event || !deliveryId || typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        counters.rejectedMalformed++;
        return reject(c, 400, 'the event and delivery headers must be present and the body a JSON object');
      }
      const names = provider.classify(event, payload);
      const id = gitHostDeliveryKey(host.row.id, deliveryId);
      if (!names) {
        counters.ignored++;
        return c.json({ delivery: id, status: 'ignored', reason: `${event} is not an event Berth acts on` }, 202);
      }
      const parts = provider.split?.(names, payload) ?? [payload];
      if (parts.length === 1) {
        const isNew = await writer.store({ id, gitHostId: host.row.id, ...summaryOf(provider, names, payload), event: names.event, action: names.action, installationId: null, payload: utf8.decode(raw) });
        return answerStored(c, deps, counters, id, isNew);
      }
      // Several events in one delivery: each stored once under the delivery's key and its place.
      const ids = parts.map((_, i) => `${id}-${i + 1}`);
      const stored = await Promise.all(
        parts.map((part, i) => writer.store({ id: ids[i] as string, gitHostId: host.row.id, ...summaryOf(provider, names, part), event: names.event, action: names.action, installationId: null, payload: JSON.stringify(part) })),
      );
      stored.forEach((isNew, i) => isNew && deps.dispatcher?.notify(ids[i] as string));
      if (!stored.some(Boolean)) {
        counters.duplicates++;
        return c.json({ delivery: ids[0], deliveries: ids, status: 'duplicate' as const }, 202);
      }
      counters.accepted++;
      return c.json({ delivery: ids[0], deliveries: ids, status: 'accepted' as const }, 202);
    },
  );
  return app;
}
