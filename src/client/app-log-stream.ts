// Following an environment's app logs (GET …/logs/stream, Server-Sent Events) until the
// followed containers stop or the caller aborts.
import { createParser } from 'eventsource-parser';
import { apiErrorFrom, type BerthClient, type Schemas } from './berth-client.js';

export type AppLogLine = Schemas['AppLogLine'];

export interface AppLogFollow {
  app: string;
  env: string;
  query: { since?: string; tail?: number; contains?: string; match?: string; replica?: number; service?: string };
  onLine(line: AppLogLine): void;
  signal?: AbortSignal;
}

/** Resolves true when the server sent `end` (every followed container stopped), false when the stream closed first; throws ApiError on a refusal. */
export async function followAppLogs(client: BerthClient, options: AppLogFollow): Promise<boolean> {
  const { response, error } = await client.GET('/apps/{app}/environments/{env}/logs/stream', {
    params: { path: { app: options.app, env: options.env }, query: options.query },
    parseAs: 'stream',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok || !response.body) throw apiErrorFrom(response, error);
  let ended = false;
  const parser = createParser({
    onEvent(message) {
      if (message.event === 'end') ended = true;
      else if (message.event === 'line') options.onLine(JSON.parse(message.data) as AppLogLine);
    },
  });
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  try {
    while (!ended) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return ended;
}
