// A static site's verified "done", post-switch watch and way back (the deploy skeleton's
// verify, watch and switchBack for kind static). Verify: every host name of the environment,
// through Traefik's entrypoint, answers from the release (its release header) and Traefik's
// routers for each lead to the static server alone. Watch: the same answers every 0.5 s for the
// watch's seconds, with Traefik's metrics for the environment's service, judged like an image's
// release. Way back: `current` points at the previous release again and the route this switch
// replaced (when it rewrote one) is put back, confirmed through the entrypoint.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../db/client.js';
import type { RouteTls } from '../../src/domain/https.js';
import type { PhaseReport } from '../../src/domain/phases.js';
import type { WatchSettings } from '../../src/domain/post-switch-watch.js';
import { RELEASE_HEADER, withSiteToken } from '../../src/domain/static-site.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { staticSiteToken } from '../../src/secrets/static-site-token.js';
import { BerthError, permanentFailure } from '../../src/errors.js';
import { probeHttp } from '../../src/http-probe.js';
import { pointCurrent, readCurrent, removeCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { withHeartbeat } from '../heartbeat.js';
import { probeEntry } from '../router/probe-entry.js';
import { createRouteFiles } from '../router/route-files.js';
import { misroutedHosts } from '../router/verify-routers.js';
import { createWatchRelease, type Watched } from '../router/watch-release.js';
import { recordReport } from '../store/deployments.js';
import type { SiteRef } from './prepare-release.js';

/** How long answers and routers may take to agree after a confirmed switch. */
const VERIFY_MS = 1000;
const POLL_MS = 20;
/** A static site has no health check of its own: its root, from the release, is the check. */
const SITE_CHECK = { path: '/', expectedStatus: 200, timeoutMs: 2000 };

interface Deps {
  db: Db;
  staticDir: string;
  serverUrl: string;
  traefik: { routesDir: string; entryUrl: string; apiUrl: string; httpsEntryUrl: string };
  instance: string;
  /** Its key ring gives the site token (a route put back that was written before it gets it). */
  box: SecretBox;
}

export interface SiteHosts {
  environmentId: string;
  releaseId: string;
  hosts: string[];
  tls?: RouteTls | undefined;
}

export function createVerifySite({ db, staticDir, serverUrl, traefik, instance, box }: Deps) {
  const files = createRouteFiles(traefik.routesDir, instance);
  const watch = createWatchRelease({ db, apiUrl: traefik.apiUrl });
  /** Each host name through the entrypoint it is served on (HTTPS when plain HTTP only redirects); a wildcard has no one name to ask. */
  const targets = (input: SiteHosts) =>
    input.hosts.filter((host) => !host.startsWith('*.')).map((host) => ({
      url: probeEntry({ environmentId: input.environmentId, deploymentId: '', hosts: input.hosts, servers: [], tls: input.tls }, host, traefik.entryUrl, traefik.httpsEntryUrl),
      host,
      header: [RELEASE_HEADER.toLowerCase(), input.releaseId] as [string, string],
    }));

  /** Host names that do not answer from the release through the entrypoint now. */
  async function wrongAnswers(input: SiteHosts, signal: AbortSignal): Promise<string[]> {
    const found: string[] = [];
    for (const t of targets(input)) {
      const res = await probeHttp(`${t.url}/`, { host: t.host, timeoutMs: SITE_CHECK.timeoutMs, expectedStatus: 200, signal });
      const release = res.headers[t.header[0]];
      if (!res.ok || release !== input.releaseId) found.push(`${t.host} answered ${res.reason ?? `HTTP ${res.status}`} from release ${String(release ?? 'none')}`);
    }
    return found;
  }

  /** What is wrong with the release's answers and routes now; empty when nothing is. */
  async function problems(input: SiteHosts, signal: AbortSignal): Promise<string[]> {
    return [...(await wrongAnswers(input, signal)), ...(await misroutedHosts(traefik.apiUrl, input.hosts, [serverUrl], signal))];
  }

  return {
    /** Part of a verified "done" for a static site; permanent when it fails (the switch is undone). */
    async verifyStaticRelease(input: SiteHosts & { report: PhaseReport }): Promise<void> {
      await recordReport(db, input.report);
      await withHeartbeat(async (signal) => {
        const deadline = Date.now() + VERIFY_MS;
        let found = await problems(input, signal);
        while (found.length > 0 && Date.now() < deadline) {
          await sleep(POLL_MS, undefined, { signal });
          found = await problems(input, signal);
        }
        if (found.length > 0) throw permanentFailure('RouteVerificationFailed', `not every host name serves release ${input.releaseId}: ${found.join('; ')}`);
      });
    },

    /** The post-switch watch of a static release, through every host name of the environment. */
    async watchStaticRelease(input: SiteHosts & { report: PhaseReport; watch: WatchSettings }): Promise<Watched> {
      return watch({ report: input.report, environmentId: input.environmentId, servers: [], targets: targets(input), check: SITE_CHECK, watch: input.watch });
    },

    /**
     * Undoes this deployment's switch when it is still the one in place: `current` back at the
     * previous release (or none), the replaced route back; confirmed through the entrypoint.
     * False when `current` no longer points at the release (nothing of ours to undo).
     */
    async restoreStaticSwitch(input: SiteRef & SiteHosts & { deploymentId: string; previousReleaseId: string | null }): Promise<boolean> {
      return withHeartbeat(async (signal) => {
        const paths = sitePaths(staticDir, input.appName, input.environmentName);
        if ((await readCurrent(paths)) !== input.releaseId) return false;
        const saved = await files.readPrevious(input.environmentId);
        const current = await files.read(input.environmentId);
        if (saved?.deploymentId === input.deploymentId && current?.deploymentId === input.deploymentId) {
          if (saved.previous) await files.write(withSiteToken(saved.previous, staticSiteToken(box.ring)));
          else await files.remove(input.environmentId);
        }
        if (input.previousReleaseId) await pointCurrent(paths, input.previousReleaseId);
        else await removeCurrent(paths);
        if (!input.previousReleaseId) return true;
        const back = { ...input, releaseId: input.previousReleaseId };
        const deadline = Date.now() + 15_000;
        for (;;) {
          const left = await wrongAnswers(back, signal);
          if (left.length === 0) return true;
          if (Date.now() > deadline) throw new BerthError('RouteNotLive', `release ${input.previousReleaseId} is back in place but not yet served: ${left.join('; ')}`);
          await sleep(POLL_MS, undefined, { signal });
        }
      });
    },
  };
}
