// Following one deployment's Server-Sent Events until it ends, through dropped connections:
// a stream that breaks (an API restart, a proxy's idle cut, the server's own time limit) is
// opened again with Last-Event-ID, so log lines continue after the last one seen, and phases
// and status are sent again (handlers treat them as states, not steps).
import { createParser } from 'eventsource-parser';
import { ApiError, apiErrorFrom, ConnectionError, type BerthClient, type Schemas } from './berth-client.js';

export type DeploymentEvent =
  | { event: 'phase'; data: Schemas['DeploymentPhaseEvent'] }
  | { event: 'log'; data: Schemas['DeploymentLogEvent'] }
  | { event: 'status'; data: Schemas['DeploymentStatusEvent'] }
  | { event: 'end'; data: Schemas['DeploymentEndEvent'] };

/** How long to keep trying to reconnect before giving up (Berth down, not just restarting). */
export const DEFAULT_RECONNECT_WITHIN_MS = 5 * 60_000;
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 3000;

export interface FollowOptions {
  deploymentId: string;
  onEvent(event: DeploymentEvent): void;
  /** The stream broke (with why) and is being opened again; then restored. */
  onConnection?(state: 'lost' | 'restored', reason?: string): void;
  signal?: AbortSignal;
  reconnectWithinMs?: number;
  /** Resume after this log line id (a follower that already showed lines). */
  afterLogId?: number;
}

/** Resolves with the final status once the `end` event arrives; throws ApiError on a 4xx, ConnectionError when reconnecting runs out. */
export async function followDeployment(client: BerthClient, options: FollowOptions): Promise<string> {
  let lastLogId = options.afterLogId ?? 0;
  let brokenSince: number | null = null;
  let delay = RETRY_FIRST_MS;
  const budget = options.reconnectWithinMs ?? DEFAULT_RECONNECT_WITHIN_MS;
  for (;;) {
    let ended: string | null = null;
    let why: string;
    try {
      ended = await readStream();
      if (ended !== null) return ended;
      why = 'the stream closed before the deployment ended';
    } catch (err) {
      if (options.signal?.aborted) throw err;
      if (err instanceof ApiError && err.status < 500) throw err;
      why = err instanceof ConnectionError ? err.reason : err instanceof Error ? err.message : String(err);
    }
    if (brokenSince === null) {
      brokenSince = Date.now();
      options.onConnection?.('lost', why);
    }
    if (Date.now() - brokenSince > budget) throw new ConnectionError('the event stream', `${why}; gave up after ${Math.round(budget / 1000)} s`);
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, RETRY_MAX_MS);
  }

  async function readStream(): Promise<string | null> {
    const { response, error } = await client.GET('/deployments/{id}/events', {
      params: { path: { id: options.deploymentId }, header: lastLogId ? { 'last-event-id': String(lastLogId) } : {} },
      parseAs: 'stream',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!response.ok || !response.body) throw apiErrorFrom(response, error);
    if (brokenSince !== null) {
      brokenSince = null;
      delay = RETRY_FIRST_MS;
      options.onConnection?.('restored');
    }
    let ended: string | null = null;
    const parser = createParser({
      onEvent(message) {
        const event = { event: message.event, data: JSON.parse(message.data) } as DeploymentEvent;
        if (event.event === 'log') lastLogId = Math.max(lastLogId, event.data.id);
        if (event.event === 'end') ended = event.data.status;
        options.onEvent(event);
      },
    });
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      while (ended === null) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    return ended;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
