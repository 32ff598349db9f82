// The router: Traefik's file provider plus its API. A switch writes the environment's file (and
// an uploaded certificate's TLS file first), waits until Traefik's API shows the new servers, then
// confirms through the entrypoint (through the HTTPS one for a host that redirects there) that
// answers come from the new deployment (Traefik adds its id as a header) and pass the health
// check. Whatever goes wrong after the write puts the previous route back before failing.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../db/client.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import { DEPLOYMENT_HEADER, routeName, withoutSplit, type RouteSpec } from '../../src/domain/route.js';
import { serviceRouteKey, stackRouteEnvironment } from '../../src/domain/stack.js';
import { BerthError, permanentFailure } from '../../src/errors.js';
import { probeHttp } from '../../src/http-probe.js';
import type { Logger } from '../../src/logger.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordReport } from '../store/deployments.js';
import { stillLive } from '../store/still-live.js';
import { createCanaryRoutes } from './canary-route.js';
import { createCertificateFiles } from './certificate-files.js';
import { createPreviewRoutes } from './preview-route.js';
import { probeEntry } from './probe-entry.js';
import { createRouteFiles } from './route-files.js';
import { createStandbyRestore } from './standby-restore.js';
import { createStandbySwitch } from './standby-switch.js';
import { berthServices, createServiceWatcher, sameServers } from './traefik-api.js';
import { misroutedHosts } from './verify-routers.js';
import { createWatchRelease, type WatchInput, type Watched } from './watch-release.js';
import { createWatchStack } from './watch-stack.js';

export const ROUTE_LIVE_TIMEOUT_MS = 15_000;
/** Confirmation polls: quick when Traefik is, gentle on a busy machine; growing by steps (doubling saw a route up to 32 ms late). */
const CONFIRM_POLL_MS = { first: 2, max: 50 };
/** How long routers may take to agree after a confirmed switch (Traefik applies a file at once). */
const VERIFY_ROUTES_MS = 1000;
export interface RouterDeps {
  db: Db;
  instance: string;
  routesDir: string;
  apiUrl: string;
  entryUrl: string;
  httpsEntryUrl: string;
  box: SecretBox; // opens the sealed keys of uploaded certificates
  log: Logger;
  liveTimeoutMs?: number; // how long Traefik may take to apply a route before the step fails, retryably
}

export interface Verification {
  path: string;
  expectedStatus: number;
  attempts: number; // answers in a row, from the new deployment, that must pass
  timeoutMs: number;
}

export function createRouterActivities({ db, instance, routesDir, apiUrl, entryUrl, httpsEntryUrl, box, log, liveTimeoutMs = ROUTE_LIVE_TIMEOUT_MS }: RouterDeps) {
  const files = createRouteFiles(routesDir, instance);
  const certificates = createCertificateFiles(routesDir, instance, db, box);
  async function until(what: string, check: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + liveTimeoutMs;
    for (let wait = CONFIRM_POLL_MS.first; Date.now() < deadline; wait = Math.min(wait + CONFIRM_POLL_MS.first, CONFIRM_POLL_MS.max)) {
      if (await check().catch(() => false)) return;
      await sleep(wait, undefined, { signal });
    }
    // Retryable: Traefik may be restarting; the file is already in place.
    throw new BerthError('RouteNotLive', `${what} within ${liveTimeoutMs} ms`);
  }

  const watcher = createServiceWatcher(apiUrl);
  const watch = createWatchRelease({ db, apiUrl });
  const canary = createCanaryRoutes({ files, apiUrl, watcher, liveTimeoutMs });

  /**
   * The uploaded certificate a route needs, in place (or out of the way once its environment no
   * longer serves one). A stack service's route (key <environment>-<service>) uses its
   * environment's file; whether the file is wanted is the environment's HTTPS mode, not the
   * route's TLS, since only the service answering on the environment's domains has that.
   */
  async function syncCertificate(routeKey: string, route: RouteSpec): Promise<'written' | 'removed' | 'unchanged'> {
    const environmentId = stackRouteEnvironment(routeKey);
    const wanted = environmentId === routeKey ? route.tls?.mode === 'custom' : await certificates.wantedFor(environmentId);
    return certificates.sync(environmentId, wanted);
  }

  async function apply(environmentId: string, route: RouteSpec | null, signal: AbortSignal): Promise<void> {
    if (route) {
      // The certificate before the route that needs it: no moment without either.
      await syncCertificate(environmentId, route);
      await files.write(route);
    } else {
      await files.remove(environmentId);
      await certificates.remove(environmentId);
    }
    const deadline = AbortSignal.timeout(liveTimeoutMs);
    try {
      await watcher.waitFor(environmentId, route?.servers ?? null, AbortSignal.any([signal, deadline]));
    } catch (err) {
      // Retryable: Traefik may be restarting; the file is already in place.
      if (deadline.aborted && !signal.aborted) {
        throw new BerthError('RouteNotLive', `Traefik did not apply the route of ${environmentId} within ${liveTimeoutMs} ms`);
      }
      throw err;
    }
  }

  /** Answers through the entrypoint come from `route`'s deployment and pass the check. */
  async function confirm(route: RouteSpec, check: Verification, signal: AbortSignal): Promise<void> {
    const host = route.hosts[0] as string;
    const entry = probeEntry(route, host, entryUrl, httpsEntryUrl);
    await until(
      `Traefik's entrypoint did not serve ${route.deploymentId}`,
      async () => {
        const res = await probeHttp(`${entry}${check.path}`, { host, timeoutMs: check.timeoutMs, expectedStatus: check.expectedStatus, signal });
        return res.headers[DEPLOYMENT_HEADER.toLowerCase()] === route.deploymentId;
      },
      signal,
    );
    for (let i = 0; i < check.attempts; i++) {
      const res = await probeHttp(`${entry}${check.path}`, { host, timeoutMs: check.timeoutMs, expectedStatus: check.expectedStatus, signal });
      if (res.ok) continue;
      // No answer at all is Traefik away (restarting, say): worth a retry. A wrong answer from
      // the new deployment is the deployment's failure.
      if (res.status === null) throw new BerthError('RouteNotLive', `Traefik's entrypoint did not answer: ${res.reason}`);
      throw permanentFailure('RouteVerificationFailed', `through Traefik, ${host}${check.path} answered ${res.reason}`);
    }
  }

  /** The route this deployment's switch replaced, when its switch is the one in place. */
  async function replaced(environmentId: string, deploymentId: string): Promise<{ previous: RouteSpec | null } | null> {
    const current = await files.read(environmentId);
    const saved = await files.readPrevious(environmentId);
    if (current?.deploymentId !== deploymentId || saved?.deploymentId !== deploymentId) return null;
    return { previous: saved.previous };
  }

  return {
    ...canary,
    ...createPreviewRoutes({ db, apply, confirm }),
    ...createWatchStack({ watch, entryUrl, httpsEntryUrl }),
    ...createStandbySwitch({ db, files, apply, entryFor: (route, host) => probeEntry(route, host, entryUrl, httpsEntryUrl), liveTimeoutMs, log }),
    ...createStandbyRestore({ db, files, apply, liveTimeoutMs, log }),

    /** Points the environment at the new servers, confirmed live and healthy through Traefik. */
    /** `follow`: a live release's route moves to where it answers now (no switch-back on failure, no phase rewritten). */
    async switchRoute(input: { report: PhaseReport; route: RouteSpec; verify: Verification; follow?: boolean }): Promise<{ phases: PhaseWrite[]; ms: number }> {
      const { route } = input;
      // Beside the switch; settled before it ends either way (handled now, surfaced when awaited).
      const reported = recordReport(db, input.report);
      reported.catch(() => undefined);
      return withHeartbeat(async (signal) => {
        const started = performance.now();
        const current = await files.read(route.environmentId);
        // A retry finds its own route in place; what it replaced was saved the first time. A
        // promoted canary replaced the stable route, not the weighted one it ends.
        if (current?.deploymentId !== route.deploymentId) {
          await files.savePrevious(route.environmentId, { deploymentId: route.deploymentId, previous: current ? withoutSplit(current) : null });
        }
        try {
          await apply(route.environmentId, route, signal);
          await confirm(route, input.verify, signal);
        } catch (err) {
          await reported.catch(() => undefined);
          if (input.follow) throw err;
          const back = await replaced(route.environmentId, route.deploymentId);
          // The previous file is back even when Traefik is too slow to show it; the deployment records why the switch failed.
          if (back) {
            await apply(route.environmentId, back.previous, AbortSignal.timeout(liveTimeoutMs)).catch((backErr: unknown) =>
              log.warn({ environmentId: route.environmentId, err: backErr }, 'previous route written back, not yet confirmed'),
            );
          }
          throw err;
        }
        const ms = performance.now() - started;
        log.debug({ environmentId: route.environmentId, ms }, 'route live');
        await reported;
        if (input.follow) return { phases: [], ms };
        const phases: PhaseWrite[] = [{ phase: 'route', outcome: 'succeeded', message: `switched in ${Math.round(ms)} ms`, at: Date.now() }];
        await recordReport(db, { deploymentId: route.deploymentId, service: input.report.service, phases });
        return { phases, ms };
      });
    },

    /**
     * Part of a verified "done": Traefik's routers for every host name lead to the new servers.
     * Permanent when they do not (the deployment switches back), after a short wait for a
     * router Traefik is still loading.
     */
    async verifyRoutes(input: { report: PhaseReport; environmentId: string; hosts: string[]; servers: string[] }): Promise<{ phases: PhaseWrite[] }> {
      await recordReport(db, input.report);
      return withHeartbeat(async (signal) => {
        let problems: string[] = [];
        const deadline = Date.now() + VERIFY_ROUTES_MS;
        for (let wait = CONFIRM_POLL_MS.first; ; wait = Math.min(wait * 2, CONFIRM_POLL_MS.max)) {
          problems = await misroutedHosts(apiUrl, input.hosts, input.servers, signal);
          if (problems.length === 0 || Date.now() >= deadline) break;
          await sleep(wait, undefined, { signal });
        }
        if (problems.length > 0) throw permanentFailure('RouteVerificationFailed', `Traefik does not route every host name to the new release: ${problems.join('; ')}`);
        return { phases: [] };
      });
    },

    /**
     * The post-switch watch's way back: puts back the route this deployment's switch replaced
     * (its servers still run), confirmed by Traefik's API. Returns the deployment that route
     * belongs to; null when there is none to go back to.
     */
    async switchBack(input: { environmentId: string; deploymentId: string }): Promise<{ deploymentId: string } | null> {
      return withHeartbeat(async (signal) => {
        const back = await replaced(input.environmentId, input.deploymentId);
        if (!back?.previous) return null;
        await apply(input.environmentId, back.previous, signal);
        return { deploymentId: back.previous.deploymentId };
      });
    },

    /** The post-switch watch; skipped when the switch replaced no route (a first deploy has nothing to go back to). */
    async watchRelease(input: WatchInput): Promise<Watched> {
      if ((await replaced(input.environmentId, input.report.deploymentId))?.previous) return watch(input);
      const summary = 'no previous release to go back to';
      const phases: PhaseWrite[] = [{ phase: 'watch', outcome: 'skipped', message: summary, at: Date.now() }];
      await recordReport(db, { ...input.report, phases: [...input.report.phases, ...phases] });
      return { verdict: null, skipped: true, figures: null, summary, phases };
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

    /**
     * Reconcile: the environment's route file must exist, name its live deployment and servers,
     * and be loaded by Traefik; otherwise it is written again. Returns what had drifted.
     */
    async ensureRoute(input: { route: RouteSpec; keepServers?: boolean; liveOnly?: boolean }): Promise<{ drift: 'route-missing' | 'route-altered' | 'route-not-loaded' | null }> {
      let { route } = input;
      // Reconcile acts on what it read a moment (or, waiting on a host, a while) ago: a deployment
      // queued or running since owns the route now, and so does one that went live since (a stack
      // service's route is its stack environment's); an environment no longer live (being torn
      // down, or removed) gets no route back. (liveOnly, which spread reconciles pass, once asked
      // for the second half alone; every reconcile has it now.)
      const owned = await stillLive(db, stackRouteEnvironment(route.environmentId), route.deploymentId);
      if (!owned) return { drift: null };
      const current = await files.read(route.environmentId);
      // keepServers (a spread environment, whose servers are on several hosts): those its deploy wrote, with today's names and TLS.
      if (input.keepServers && current?.deploymentId !== route.deploymentId) return { drift: null };
      if (input.keepServers && current) route = { ...route, servers: current.servers };
      let drift: 'route-missing' | 'route-altered' | 'route-not-loaded' | null = null;
      if (!current) drift = 'route-missing';
      else if (
        current.deploymentId !== route.deploymentId ||
        !sameServers(current.servers, route.servers) ||
        [...current.hosts].sort().join() !== [...route.hosts].sort().join() ||
        JSON.stringify(current.tls ?? null) !== JSON.stringify(route.tls ?? null) ||
        // An uploaded certificate replaced or removed since the file was written.
        (await syncCertificate(route.environmentId, route)) !== 'unchanged'
      ) {
        drift = 'route-altered';
      } else if (!sameServers((await berthServices(apiUrl)).get(`${routeName(route.environmentId)}@file`) ?? null, route.servers)) {
        drift = 'route-not-loaded';
      }
      if (drift) await withHeartbeat((signal) => apply(route.environmentId, route, signal));
      return { drift };
    },

    /**
     * Reconcile: route files of this instance for environments with nothing live are removed
     * (a stack's exposed services have files of their own, keyed <environment>-<service>).
     */
    async removeStaleRoutes(input: { keepEnvironmentIds: string[] }): Promise<string[]> {
      const keep = new Set(input.keepEnvironmentIds);
      const stale = (await files.list()).filter((key) => !keep.has(key) && !keep.has(stackRouteEnvironment(key)));
      for (const key of stale) await files.remove(key);
      for (const key of await certificates.list()) if (!keep.has(key)) await certificates.remove(key);
      return stale;
    },

    /** Removes the routes of a stack's services (route keys <environment>-<service>) but those kept. */
    async removeStackRoutes(input: { environmentId: string; keepServices: string[] }): Promise<string[]> {
      return withHeartbeat(async (signal) => {
        const keep = new Set(input.keepServices.map((s) => serviceRouteKey(input.environmentId, s)));
        const doomed = (await files.list()).filter((key) => key.startsWith(serviceRouteKey(input.environmentId, '')) && !keep.has(key));
        for (const key of doomed) await apply(key, null, signal);
        return doomed;
      });
    },
  };
}

export type RouterActivities = ReturnType<typeof createRouterActivities>;
