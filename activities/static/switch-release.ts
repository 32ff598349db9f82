// The switch: point `current` at the release (one rename), make sure Traefik routes the
// environment to the static server with the release's settings (a route file, rewritten only
// when they change), and confirm through Traefik's entrypoint that answers come from the new
// release (through the HTTPS entrypoint when plain HTTP only redirects there). If the
// confirmation fails, the previous link and route are put back.
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deployments, environments } from '../../db/schema/index.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import type { RouteTls } from '../../src/domain/https.js';
import { DEPLOYMENT_HEADER, withoutSplit, type RouteSpec } from '../../src/domain/route.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { RELEASE_HEADER, siteRequestHeaders, withSiteToken } from '../../src/domain/static-site.js';
import { staticSiteToken } from '../../src/secrets/static-site-token.js';
import { BerthError, permanentFailure } from '../../src/errors.js';
import { probeHttp } from '../../src/http-probe.js';
import { pointCurrent, readCurrent, removeCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { withHeartbeat } from '../heartbeat.js';
import { createCertificateFiles } from '../router/certificate-files.js';
import { probeEntry } from '../router/probe-entry.js';
import { createRouteFiles } from '../router/route-files.js';
import { recordReport } from '../store/deployments.js';
import { exists, type SiteRef } from './prepare-release.js';
import { findStaticRelease } from './release-store.js';

export const SWITCH_CONFIRM_TIMEOUT_MS = 15_000;
const POLL_MS = 2;

export interface SwitchInput extends SiteRef {
  report: PhaseReport;
  deploymentId: string;
  environmentId: string;
  releaseId: string;
  hosts: string[];
  tls?: RouteTls | undefined;
  /** What to point `current` back at if the switch fails; default: what it pointed at before. */
  restoreTo?: string | null | undefined;
}

export interface Switched {
  phases: PhaseWrite[];
  releaseNumber: number;
  previousReleaseId: string | null;
  /** The deployment live before the switch (what a post-switch rollback makes live again). */
  previousDeploymentId?: string | null;
  ms: number;
}

interface Deps {
  db: Db;
  staticDir: string;
  serverUrl: string;
  traefik: { routesDir: string; entryUrl: string; httpsEntryUrl: string };
  instance: string;
  box: SecretBox;
}

function sameRoute(a: RouteSpec | null, b: RouteSpec): boolean {
  return (
    a !== null &&
    JSON.stringify([a.hosts, a.servers, a.requestHeaders ?? null, a.tls ?? null]) === JSON.stringify([b.hosts, b.servers, b.requestHeaders ?? null, b.tls ?? null])
  );
}

export function createSwitchRelease({ db, staticDir, serverUrl, traefik, instance, box }: Deps) {
  const files = createRouteFiles(traefik.routesDir, instance);
  const certificates = createCertificateFiles(traefik.routesDir, instance, db, box);
  const token = staticSiteToken(box.ring);
  /** Polls the entrypoint until the release answers (and, after a route write, the new route). */
  async function confirm(route: RouteSpec, releaseId: string, deploymentId: string | null, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + SWITCH_CONFIRM_TIMEOUT_MS;
    const host = route.hosts[0] as string;
    const entry = probeEntry(route, host, traefik.entryUrl, traefik.httpsEntryUrl);
    let last = 'no answer';
    while (Date.now() < deadline) {
      const res = await probeHttp(`${entry}/`, { host, timeoutMs: 2000, expectedStatus: 200, signal });
      const release = res.headers[RELEASE_HEADER.toLowerCase()];
      const route = res.headers[DEPLOYMENT_HEADER.toLowerCase()];
      if (release === releaseId && (deploymentId === null || route === deploymentId)) return;
      last = res.status === null ? (res.reason ?? 'no answer') : `HTTP ${res.status} from release ${String(release || 'none')}`;
      await sleep(POLL_MS, undefined, { signal });
    }
    // Retryable: Traefik or the static server may be restarting.
    throw new BerthError('RouteNotLive', `${host} did not serve release ${releaseId} within ${SWITCH_CONFIRM_TIMEOUT_MS} ms (${last})`);
  }

  return async function switchStaticRelease(input: SwitchInput): Promise<Switched> {
    const { deploymentId, environmentId, releaseId } = input;
    const paths = sitePaths(staticDir, input.appName, input.environmentName);
    // Side by side: each round trip to the database is on the switch's path.
    const [, release, present] = await Promise.all([recordReport(db, input.report), findStaticRelease(db, releaseId, environmentId), exists(paths.release(releaseId))]);
    if (!release) throw permanentFailure('ReleaseNotFound', `release ${releaseId} is not a static release of this environment`);
    if (!present) {
      throw permanentFailure('ReleaseNotFound', `the files of release ${release.number} were pruned (beyond the environment's retention)`);
    }

    return withHeartbeat(async (signal) => {
      const started = performance.now();
      // A canary's split is not what the switch replaces: the stable route proper is (the canary ends after the switch).
      const [linked, read, [env]] = await Promise.all([
        readCurrent(paths),
        files.read(environmentId),
        db.select({ liveDeploymentId: environments.liveDeploymentId, liveReleaseId: environments.liveReleaseId }).from(environments).where(eq(environments.id, environmentId)),
        // A rollback's deployment names its release here; a deploy's was set when it was made.
        db.update(deployments).set({ releaseId }).where(eq(deployments.id, deploymentId)),
      ]);
      const previousRoute = read ? withoutSplit(read) : null;
      // A retry after this switch had pointed `current` finds its own release there: what it
      // replaced is still the live release (committed only after the switch), never itself.
      const previous = linked === releaseId ? (env?.liveReleaseId ?? null) : linked;
      const previousReleaseId = previous === releaseId ? null : previous;
      const route: RouteSpec = {
        environmentId,
        deploymentId,
        hosts: input.hosts,
        servers: [serverUrl],
        requestHeaders: siteRequestHeaders(input.appName, input.environmentName, release.settings, token),
        tls: input.tls,
      };
      const rewrite = !sameRoute(previousRoute, route);
      try {
        await pointCurrent(paths, releaseId);
        // An uploaded certificate goes in before the route that needs it.
        await certificates.sync(environmentId, route.tls?.mode === 'custom');
        if (rewrite) {
          // What this switch replaced, for an undo after it (verify, the post-switch watch).
          await files.savePrevious(environmentId, { deploymentId, previous: previousRoute });
          await files.write(route);
        }
        await confirm(route, releaseId, rewrite ? deploymentId : null, signal);
      } catch (err) {
        // Put back what this switch replaced.
        const restore = input.restoreTo !== undefined ? input.restoreTo : previousReleaseId;
        if (restore !== releaseId) {
          if (restore) await pointCurrent(paths, restore);
          else await removeCurrent(paths);
        }
        if (rewrite) {
          // A route written before the site token existed goes back with it (else it would serve nothing).
          if (previousRoute) await files.write(withSiteToken(previousRoute, token));
          else await files.remove(environmentId);
        }
        throw err;
      }
      const ms = performance.now() - started;
      const phases: PhaseWrite[] = [
        { phase: 'switch', outcome: 'succeeded', message: `current → release ${release.number} in ${Math.round(ms)} ms`, at: Date.now() },
      ];
      await recordReport(db, { deploymentId, phases });
      return { phases, releaseNumber: release.number, previousReleaseId, previousDeploymentId: env?.liveDeploymentId ?? null, ms };
    });
  };
}
