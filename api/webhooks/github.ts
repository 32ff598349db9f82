// POST /webhooks/github: GitHub's deliveries. The synchronous path is only "verify, store
// once, answer 202": the signature (X-Hub-Signature-256) is checked over the exact bytes
// received, in constant time (JSON or form-encoded, the two content types GitHub offers); every
// other event GitHub sends is answered 202 ignored; a verified delivery of an event Berth handles is inserted once
// (X-GitHub-Delivery is the key, so a redelivery is acknowledged and does nothing new; inserts
// of one event-loop turn share a statement) and handed to the dispatcher, which starts its
// intake workflow off the request path.
import { Hono } from 'hono';
import { deliverySummary, isHandled } from '../../src/domain/github-events.js';
import type { AppDeps, AppEnv } from '../deps.js';
import type { WebhookCounters } from './counters.js';
import { deliveryLimit, rejectDelivery } from './intake-answers.js';
import { createDeliveryWriter } from './delivery-writer.js';
import type { WebhookVerifier } from './webhook-secrets.js';

/** GitHub's delivery ids are GUIDs; anything of this shape is accepted as a key. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;
/** GitHub's event names: lower case, underscores and digits (projects_v2_item). */
const EVENT_NAME = /^[a-z0-9_]{1,64}$/;
const FORM = 'application/x-www-form-urlencoded';
// Only bodies whose text re-encodes to the very bytes received are verified: the HMAC is then
// over exactly what GitHub sent.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface WebhookDeps {
  verifier: WebhookVerifier;
  counters: WebhookCounters;
}

export function githubWebhook(deps: AppDeps, { verifier, counters }: WebhookDeps) {
  const { config } = deps;
  const writer = createDeliveryWriter(deps.db);
  const app = new Hono<AppEnv>();
  const reject = rejectDelivery;

  app.post(
    '/',
    deliveryLimit(config.github.webhookMaxBytes, counters),
    async (c) => {
      const signature = c.req.header('x-hub-signature-256');
      const raw = new Uint8Array(await c.req.arrayBuffer());
      let text: string | null = null;
      try {
        text = utf8.decode(raw);
      } catch {
        text = null;
      }
      if (!signature || !text || !(await verifier.verify(text, signature))) {
        counters.rejectedSignature++;
        return reject(c, 401, signature ? 'signature does not match' : 'X-Hub-Signature-256 is missing');
      }

      const event = c.req.header('x-github-event') ?? '';
      const deliveryId = c.req.header('x-github-delivery') ?? '';
      if (!EVENT_NAME.test(event) || !DELIVERY_ID.test(deliveryId)) {
        counters.rejectedMalformed++;
        return reject(c, 400, 'X-GitHub-Event and X-GitHub-Delivery must be present and well-formed');
      }
      // A webhook set to GitHub's other content type sends payload=<the JSON, URL-encoded>: the
      // signature above is over those bytes as sent; what is stored is the JSON inside.
      const form = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() === FORM;
      const json = form ? new URLSearchParams(text).get('payload') : text;
      let payload: unknown;
      try {
        payload = JSON.parse(json ?? '');
      } catch {
        counters.rejectedMalformed++;
        return reject(c, 400, form ? 'a form-encoded delivery must carry the JSON in its payload field' : 'body is not JSON');
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        counters.rejectedMalformed++;
        return reject(c, 400, 'body is not a JSON object');
      }

      const summary = deliverySummary(payload);
      if (!isHandled(event, summary.action)) {
        counters.ignored++;
        return c.json({ delivery: deliveryId, status: 'ignored', reason: `${event}${summary.action ? `.${summary.action}` : ''} is not an event Berth acts on` }, 202);
      }
      const isNew = await writer.store({ id: deliveryId, event, ...summary, payload: json as string });
      if (!isNew) {
        counters.duplicates++;
        return c.json({ delivery: deliveryId, status: 'duplicate' }, 202);
      }
      counters.accepted++;
      deps.dispatcher?.notify(deliveryId);
      return c.json({ delivery: deliveryId, status: 'accepted' }, 202);
    },
  );
  return app;
}
