// The router: Traefik's file provider plus its API. A switch is a file write followed by a wait
// until Traefik's API reports the new servers, so the workflow only moves on once it is live.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RouteSpec } from '../../src/domain/route.js';
import { BerthError, permanentFailure } from '../../src/errors.js';
import { probeHttp } from '../../src/http-probe.js';
import type { Logger } from '../../src/logger.js';
import { withHeartbeat } from '../heartbeat.js';
import { readPreviousRoute, readRouteFile, removeRouteFile, savePreviousRoute, writeRouteFile } from './route-files.js';
import { liveServers, sameServers } from './traefik-api.js';

export const ROUTE_LIVE_TIMEOUT_MS = 15_000;
const POLL_MS = 3;

export interface RouterDeps {
  routesDir: string;
  apiUrl: string;
  entryUrl: string;
  log: Logger;
}

export function createRouterActivities({ routesDir, apiUrl, entryUrl, log }: RouterDeps) {
  async function waitLive(environmentId: string, servers: string[] | null, signal: AbortSignal): Promise<number> {
    const started = performance.now();
    const deadline = Date.now() + ROUTE_LIVE_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (sameServers(await liveServers(apiUrl, environmentId, signal).catch(() => undefined) ?? null, servers)) {
        return performance.now() - started;
      }
      await sleep(POLL_MS, undefined, { signal });
    }
    // Retryable: Traefik may be restarting; the file is already in place.
    throw new BerthError('RouteNotLive', `Traefik did not apply the route of ${environmentId} within ${ROUTE_LIVE_TIMEOUT_MS} ms`);
  }

  async function apply(environmentId: string, route: RouteSpec | null, signal: AbortSignal): Promise<number> {
    if (route) await writeRouteFile(routesDir, route);
    else await removeRouteFile(routesDir, environmentId);
    return waitLive(environmentId, route?.servers ?? null, signal);
  }

  return {
    /** Points the environment at new servers; returns the route it replaced (for undo). */
    async switchRoute(input: { route: RouteSpec }): Promise<{ previous: RouteSpec | null; ms: number }> {
      return withHeartbeat(async (signal) => {
        const { environmentId } = input.route;
        const current = await readRouteFile(routesDir, environmentId);
        let previous = current;
        // On a retry the file already holds the new route: what it replaced was saved aside.
        if (current && sameServers(current.servers, input.route.servers)) previous = await readPreviousRoute(routesDir, environmentId);
        else await savePreviousRoute(routesDir, environmentId, current);
        const ms = await apply(environmentId, input.route, signal);
        log.debug({ environmentId, ms }, 'route live');
        return { previous, ms };
      });
    },

    /** Puts back what switchRoute replaced (or removes the route when there was none). */
    async restoreRoute(input: { environmentId: string; previous: RouteSpec | null }): Promise<void> {
      await withHeartbeat((signal) => apply(input.environmentId, input.previous, signal));
    },

    async removeRoute(input: { environmentId: string }): Promise<void> {
      await withHeartbeat((signal) => apply(input.environmentId, null, signal));
    },

    /** After a switch: the entrypoint must answer the health path as expected, several times. */
    async verifyRoute(input: { host: string; path: string; expectedStatus: number; attempts: number; timeoutMs: number }): Promise<void> {
      for (let i = 0; i < input.attempts; i++) {
        const result = await probeHttp(`${entryUrl}${input.path}`, {
          host: input.host,
          timeoutMs: input.timeoutMs,
          expectedStatus: input.expectedStatus,
        });
        if (!result.ok) {
          throw permanentFailure('RouteVerificationFailed', `through Traefik, ${input.host}${input.path} answered ${result.reason}`);
        }
      }
    },
  };
}

export type RouterActivities = ReturnType<typeof createRouterActivities>;
