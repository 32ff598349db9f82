// The worker's Docker events listener: when a container of this instance dies, is removed or
// starts, it reports the container's labels at once, so reconcile can react within a second
// instead of waiting for the schedule. The stream is reopened with backoff when Docker restarts, and every
// reopening is reported too (whatever died meanwhile was not seen).
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { labelFilter } from '../domain/labels.js';
import type { Logger } from '../logger.js';

export interface ContainerEvent {
  containerId: string;
  event: string;
  labels: Record<string, string>;
  /** When the engine saw it (ns since the epoch, as text): the same on a replayed event. */
  timeNano: string;
}

export interface EventsListener {
  stop(): void;
}

const RETRY_MS = { first: 250, max: 5000 };

export function listenForContainerEvents(options: {
  docker: Docker;
  instance: string;
  log: Logger;
  onEvent: (event: ContainerEvent) => void;
  /** After the stream was reopened (Docker restarted, say): events may have been missed. */
  onReconnect: () => void;
}): EventsListener {
  const { docker, instance, log } = options;
  let stopped = false;
  let current: NodeJS.ReadableStream | null = null;

  async function follow(): Promise<void> {
    let wait = RETRY_MS.first;
    let first = true;
    while (!stopped) {
      try {
        const stream = (await docker.getEvents({
          filters: { type: ['container'], event: ['die', 'destroy', 'oom', 'start'], label: labelFilter(instance) },
        })) as NodeJS.ReadableStream;
        current = stream;
        if (!first) options.onReconnect();
        first = false;
        wait = RETRY_MS.first;
        await new Promise<void>((resolve) => {
          let buffer = '';
          stream.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            let newline: number;
            while ((newline = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, newline).trim();
              buffer = buffer.slice(newline + 1);
              if (!line) continue;
              try {
                const e = JSON.parse(line) as { id?: string; Action?: string; Actor?: { Attributes?: Record<string, string> }; timeNano?: number };
                options.onEvent({ containerId: e.id ?? '', event: e.Action ?? '', labels: e.Actor?.Attributes ?? {}, timeNano: String(e.timeNano ?? Date.now() * 1e6) });
              } catch (err) {
                log.warn({ err }, 'docker event not understood');
              }
            }
          });
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', resolve);
        });
      } catch (err) {
        if (!stopped) log.warn({ err: (err as Error).message }, 'docker events unavailable');
      }
      if (!stopped) {
        first = false;
        await sleep(wait);
        wait = Math.min(wait * 2, RETRY_MS.max);
      }
    }
  }

  void follow();
  return {
    stop() {
      stopped = true;
      (current as unknown as { destroy?: () => void } | null)?.destroy?.();
    },
  };
}
