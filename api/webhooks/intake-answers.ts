// What every webhook intake (GitHub, other git hosts, generic signed hooks) answers before it
// reads a delivery: 413 over the size limit, counted; and its refusals, 401 for a signature (or
// an unknown hook, which reads the same) and 400 for a malformed body, with nothing stored.
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../deps.js';
import { errorBody } from '../errors.js';
import type { WebhookCounters } from './counters.js';

export function rejectDelivery(c: Context<AppEnv>, status: 400 | 401, message: string) {
  return c.json(errorBody(status === 401 ? 'Unauthorized' : 'ValidationFailed', message, c.get('requestId')), status);
}

/** The size limit on a delivery's body, checked as it streams in. */
export function deliveryLimit(maxBytes: number, counters: WebhookCounters) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      counters.rejectedSize++;
      return c.json(errorBody('PayloadTooLarge', `delivery over ${maxBytes} bytes`, c.get('requestId')), 413);
    },
  });
}

/** A delivery stored (true) or already stored (false): counted, handed to the dispatcher when new, answered 202 either way. */
export function answerStored(c: Context<AppEnv>, deps: { dispatcher?: { notify(id: string): void } | undefined }, counters: WebhookCounters, id: string, isNew: boolean) {
  if (!isNew) {
    counters.duplicates++;
    return c.json({ delivery: id, status: 'duplicate' as const }, 202);
  }
  counters.accepted++;
  deps.dispatcher?.notify(id);
  return c.json({ delivery: id, status: 'accepted' as const }, 202);
}
