// The router: Traefik's file provider plus its API. A switch writes the environment's file,
// waits until Traefik's API reports the new servers, then confirms through the entrypoint that
// answers come from the new deployment (Traefik adds its id as a header) and pass the health
// check. Whatever goes wrong after the write puts the previous route back before failing.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../db/client.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import { DEPLOYMENT_HEADER, type RouteSpec } from '../../src/domain/route.js';
import { serviceRouteKey } from '../../src/domain/stack.js';
import { BerthError, permanentFailure } from '../../src/errors.js';
import { probeHttp } from '../../src/http-probe.js';
import type { Logger } from '../../src/logger.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordReport } from '../store/deployments.js';
import { listRouteKeys, readPreviousRoute, readRouteFile, removeRouteFile, savePreviousRoute, writeRouteFile } from './route-files.js';
import { liveServers, sameServers } from './traefik-api.js';

export const ROUTE_LIVE_TIMEOUT_MS = 15_000;
const POLL_MS = 2;

export interface RouterDeps {
  db: Db;
  routesDir: string;
  apiUrl: string;
  entryUrl: string;
  log: Logger;
}

export interface Verification {
  path: string;
  expectedStatus: number;
  /** Answers in a row, from the new deployment, that must pass. */
  attempts: number;
  timeoutMs: number;
}

export function createRouterActivities({ db, routesDir, apiUrl, entryUrl, log }: RouterDeps) {
  async function until(what: string, check: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + ROUTE_LIVE_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return;
      await sleep(POLL_MS, undefined, { signal });
    }
    // Retryable: Traefik may be restarting; the file is already in place.
    throw new BerthError('RouteNotLive', `${what} within ${ROUTE_LIVE_TIMEOUT_MS} ms`);
  }

  async function apply(environmentId: string, route: RouteSpec | null, signal: AbortSignal): Promise<void> {
    if (route) await writeRouteFile(routesDir, route);
    else await removeRouteFile(routesDir, environmentId);
    await until(
      `Traefik did not apply the route of ${environmentId}`,
      async () => sameServers(await liveServers(apiUrl, environmentId, signal), route?.servers ?? null),
      signal,
    );
  }

  /** Answers through the entrypoint come from `route`'s deployment and pass the check. */
  async function confirm(route: RouteSpec, check: Verification, signal: AbortSignal): Promise<void> {
    const host = route.hosts[0] as string;
    await until(
      `Traefik's entrypoint did not serve ${route.deploymentId}`,
      async () => {
        const res = await probeHttp(`${entryUrl}${check.path}`, { host, timeoutMs: check.timeoutMs, expectedStatus: check.expectedStatus, signal });
        return res.headers[DEPLOYMENT_HEADER.toLowerCase()] === route.deploymentId;
      },
      signal,
    );
    for (let i = 0; i < check.attempts; i++) {
      const res = await probeHttp(`${entryUrl}${check.path}`, { host, timeoutMs: check.timeoutMs, expectedStatus: check.expectedStatus, signal });
      if (!res.ok) throw permanentFailure('RouteVerificationFailed', `through Traefik, ${host}${check.path} answered ${res.reason}`);
    }
  }

  /** The route this deployment's switch replaced, when its switch is the one in place. */
  async function replaced(environmentId: string, deploymentId: string): Promise<{ previous: RouteSpec | null } | null> {
    const current = await readRouteFile(routesDir, environmentId);
    const saved = await readPreviousRoute(routesDir, environmentId);
    if (current?.deploymentId !== deploymentId || saved?.deploymentId !== deploymentId) return null;
    return { previous: saved.previous };
  }

  return {
    /** Points the environment at the new servers, confirmed live and healthy through Traefik. */
    async switchRoute(input: { report: PhaseReport; route: RouteSpec; verify: Verification }): Promise<{ phases: PhaseWrite[]; ms: number }> {
      const { route } = input;
      await recordReport(db, input.report);
      return withHeartbeat(async (signal) => {
        const started = performance.now();
        const current = await readRouteFile(routesDir, route.environmentId);
        // A retry finds its own route in place; what it replaced was saved the first time.
        if (current?.deploymentId !== route.deploymentId) {
          await savePreviousRoute(routesDir, route.environmentId, { deploymentId: route.deploymentId, previous: current });
        }
        try {
          await apply(route.environmentId, route, signal);
          await confirm(route, input.verify, signal);
        } catch (err) {
          const back = await replaced(route.environmentId, route.deploymentId);
          if (back) await apply(route.environmentId, back.previous, AbortSignal.timeout(ROUTE_LIVE_TIMEOUT_MS));
          throw err;
        }
        const ms = performance.now() - started;
        log.debug({ environmentId: route.environmentId, ms }, 'route live');
        const phases: PhaseWrite[] = [{ phase: 'route', outcome: 'succeeded', message: `switched in ${Math.round(ms)} ms`, at: Date.now() }];
        await recordReport(db, { deploymentId: route.deploymentId, service: input.report.service, phases });
        return { phases, ms };
      });
    },

    /** Undo of a switch: puts back what this deployment's switch replaced, if it is in place. */
    async restoreRoute(input: { environmentId: string; deploymentId: string }): Promise<boolean> {
      return withHeartbeat(async (signal) => {
        const back = await replaced(input.environmentId, input.deploymentId);
        if (!back) return false;
        await apply(input.environmentId, back.previous, signal);
        return true;
      });
    },

    async removeRoute(input: { environmentId: string }): Promise<void> {
      await withHeartbeat((signal) => apply(input.environmentId, null, signal));
    },

    /** Removes the routes of a stack's services (route keys <environment>-<service>) but those kept. */
    async removeStackRoutes(input: { environmentId: string; keepServices: string[] }): Promise<string[]> {
      return withHeartbeat(async (signal) => {
        const keep = new Set(input.keepServices.map((s) => serviceRouteKey(input.environmentId, s)));
        const doomed = (await listRouteKeys(routesDir, `${input.environmentId}-`)).filter((key) => !keep.has(key));
        for (const key of doomed) await apply(key, null, signal);
        return doomed;
      });
    },
  };
}

export type RouterActivities = ReturnType<typeof createRouterActivities>;
