// Reading Traefik's own API to learn what it is actually serving. Many switches can wait at once
// (fifty environments deploying together): one poller reads every Berth service per tick and
// wakes the waiters whose servers it now shows, instead of each waiter polling on its own.
import { setTimeout as sleep } from 'node:timers/promises';
import { routeName } from '../../src/domain/route.js';

interface ServiceInfo {
  name: string;
  loadBalancer?: { servers?: { url: string }[] };
}

/** Time between two reads of Traefik's service list while anyone waits. */
export const WATCH_POLL_MS = 3;
const PAGE_SIZE = 1000;

export function sameServers(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}

/** Every Berth service Traefik's file provider has loaded: name → its server URLs. */
export async function berthServices(apiUrl: string): Promise<Map<string, string[]>> {
  const services = new Map<string, string[]>();
  for (let page = 1; ; page++) {
    const res = await fetch(`${apiUrl}/api/http/services?search=berth-&per_page=${PAGE_SIZE}&page=${page}`);
    if (!res.ok) throw new Error(`Traefik API answered ${res.status}`);
    const list = (await res.json()) as ServiceInfo[];
    for (const s of list) services.set(s.name, (s.loadBalancer?.servers ?? []).map((x) => x.url));
    if (list.length < PAGE_SIZE) return services;
  }
}

interface Waiter {
  service: string;
  servers: string[] | null;
  resolve: () => void;
}

export interface ServiceWatcher {
  /** Resolves once Traefik shows the environment's service with exactly these servers (null: gone). */
  waitFor(environmentId: string, servers: string[] | null, signal: AbortSignal): Promise<void>;
}

export function createServiceWatcher(apiUrl: string): ServiceWatcher {
  const waiters = new Set<Waiter>();
  let polling = false;

  async function poll(): Promise<void> {
    polling = true;
    try {
      while (waiters.size > 0) {
        const services = await berthServices(apiUrl).catch(() => null);
        if (services) {
          for (const w of waiters) {
            if (sameServers(services.get(w.service) ?? null, w.servers)) {
              waiters.delete(w);
              w.resolve();
            }
          }
        }
        if (waiters.size > 0) await sleep(WATCH_POLL_MS);
      }
    } finally {
      polling = false;
    }
  }

  return {
    waitFor(environmentId, servers, signal) {
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          service: `${routeName(environmentId)}@file`,
          servers,
          resolve: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          waiters.delete(waiter);
          reject(signal.reason ?? new Error('aborted'));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.add(waiter);
        if (!polling) void poll();
      });
    },
  };
}
