// POST /webhooks/generic/{hook id}: any git host or CI asks an app to deploy a ref (or a commit)
// of its repository, signed in the Standard Webhooks format with the hook's secret. Verified
// over the raw bytes with a timestamp window (a replay outside it → 401), the body checked
// (400), stored once by webhook-id (a replay inside the window → duplicate) and dispatched like
// every other delivery; the app's rules decide what deploys where.
import { Hono } from 'hono';
import { getGenericWebhook, openGenericSecret } from '../../db/queries/generic-webhooks.js';
import { GenericDelivery } from '../../src/git-hosts/generic/payload.js';
import { verifyStandard } from '../../src/git-hosts/generic/standard-webhooks.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { errorBody } from '../errors.js';
import type { WebhookCounters } from './counters.js';
import { answerStored, deliveryLimit, rejectDelivery } from './intake-answers.js';
import { createDeliveryWriter } from './delivery-writer.js';

const HOOK_ID = /^whk_[0-9a-z]{10,32}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const WHY = { missing: 'webhook-id, webhook-timestamp and webhook-signature are required', mismatch: 'signature does not match', stale: 'webhook-timestamp is outside the allowed window' };

export function genericWebhook(deps: AppDeps, counters: WebhookCounters) {
  const { config } = deps;
  const writer = createDeliveryWriter(deps.db);
  const app = new Hono<AppEnv>();
  const reject = rejectDelivery;

  app.post(
    '/:hookId',
    deliveryLimit(config.github.webhookMaxBytes, counters),
    async (c) => {
      const hookId = c.req.param('hookId');
      const hook = HOOK_ID.test(hookId) ? await getGenericWebhook(deps.db, hookId) : undefined;
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (!hook) {
        counters.rejectedSignature++;
        return reject(c, 401, WHY.mismatch);
      }
      const verified = verifyStandard(raw, (name) => c.req.header(name), openGenericSecret(deps.secretBox, hook));
      if (!verified.ok) {
        counters.rejectedSignature++;
        return reject(c, 401, WHY[verified.reason]);
      }
      let text: string;
      let parsed: ReturnType<typeof GenericDelivery.safeParse>;
      try {
        text = utf8.decode(raw);
        parsed = GenericDelivery.safeParse(JSON.parse(text));
      } catch {
        counters.rejectedMalformed++;
        return reject(c, 400, 'body is not JSON');
      }
      if (!parsed.success) {
        counters.rejectedMalformed++;
        return c.json(errorBody('ValidationFailed', 'body must be {"ref": "refs/heads/<branch>" | "refs/tags/<tag>", "sha"?: "<40 hex>"}', c.get('requestId'), parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))), 400);
      }
      const id = `${hook.id}-${verified.id}`;
      const isNew = await writer.store({ id, gitHostId: hook.id, event: 'push', action: null, repository: null, installationId: null, ref: parsed.data.ref, sha: parsed.data.sha ?? null, payload: text });
      return answerStored(c, deps, counters, id, isNew);
    },
  );
  return app;
}
