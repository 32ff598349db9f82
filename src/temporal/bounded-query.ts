// A workflow query the API answers a person with, bounded in time. Temporal holds a query for a
// workflow no worker serves (its worker died, none started yet) ~29 s before it fails; the API
// says so after a few seconds instead: 503, the workflow not answering, nothing changed.
import type { Client } from '@temporalio/client';
import { BerthError } from '../errors.js';

/** How long a query may take before the API answers 503 (a served query takes milliseconds). */
export const QUERY_DEADLINE_MS = 5000;

export async function boundedQuery<T>(temporal: Client, what: string, query: () => Promise<T>, deadlineMs = QUERY_DEADLINE_MS): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  try {
    return await temporal.connection.withDeadline(deadline, query);
  } catch (err) {
    // The deadline ends the call as DEADLINE_EXCEEDED or, when it strikes mid-way, CANCELLED.
    if (Date.now() >= deadline) throw new BerthError('Unavailable', `${what} did not answer within ${deadlineMs / 1000} s: is a Berth worker running?`);
    throw err;
  }
}
