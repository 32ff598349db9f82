// A static site's blue-green preview (src/domain/blue-green.ts): the new release's directory
// answers on `next.<host>` before `current` moves. The preview route (key `<environment>-next`,
// a file of its own) sends that host name to the static server with the release's own site key
// (`<app>/<env>@<release>`), so the static server serves the release's directory while every
// host name of the environment still reads `current`. Confirmed through Traefik's entrypoint:
// answers from the preview route, the release's header, 200 at `/`, three in a row. Removed after
// the switch (or by the undo) with the router's removePreview, as an image's.
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { environmentCertificates } from '../../db/schema/index.js';
import { previewRouteKey, previewTls } from '../../src/domain/blue-green.js';
import type { RouteTls } from '../../src/domain/https.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import { DEPLOYMENT_HEADER, type RouteSpec } from '../../src/domain/route.js';
import { RELEASE_HEADER, siteRequestHeaders } from '../../src/domain/static-site.js';
import { canaryHopServer } from '../../src/domain/static-canary.js';
import { canaryHopPrefix, staticSiteToken } from '../../src/secrets/static-site-token.js';
import { BerthError, permanentFailure } from '../../src/errors.js';
import { probeHttp } from '../../src/http-probe.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { nameCovers } from '../../src/tls/certificate-check.js';
import { withHeartbeat } from '../heartbeat.js';
import { createCertificateFiles } from '../router/certificate-files.js';
import { probeEntry } from '../router/probe-entry.js';
import { createRouteFiles } from '../router/route-files.js';
import { recordReport } from '../store/deployments.js';
import type { SiteRef } from './prepare-release.js';
import { findStaticRelease } from './release-store.js';

const PREVIEW_TIMEOUT_MS = 15_000;
/** Answers in a row, from the release, that must pass before the switch (as an image's preview). */
const PREVIEW_ATTEMPTS = 3;
const POLL_MS = 5;

export interface PreviewSiteInput extends SiteRef {
  report: PhaseReport;
  environmentId: string;
  deploymentId: string;
  releaseId: string;
  /** The preview host name, next.<the environment's first host name>. */
  host: string;
  tls?: RouteTls | undefined;
  /** A canary's preview: the route also answers under the canary hop's prefix (src/domain/static-canary.ts). */
  canaryHop?: boolean | undefined;
}

interface Deps {
  db: Db;
  serverUrl: string;
  traefik: { routesDir: string; entryUrl: string; httpsEntryUrl: string };
  instance: string;
  box: SecretBox;
}

export function createPreviewSite({ db, serverUrl, traefik, instance, box }: Deps) {
  const files = createRouteFiles(traefik.routesDir, instance);
  const certificates = createCertificateFiles(traefik.routesDir, instance, db, box);
  const token = staticSiteToken(box.ring);

  async function uploadedCovers(environmentId: string, host: string): Promise<boolean> {
    const [cert] = await db.select({ names: environmentCertificates.names }).from(environmentCertificates).where(eq(environmentCertificates.environmentId, environmentId));
    return cert ? cert.names.some((n) => nameCovers(n, host)) : false;
  }

  /**
   * One answer for the preview host name through the entrypoint: null when the release answered
   * well; `ours` when the preview route answered (the release's own answer, wrong); else not yet.
   */
  async function wrongAnswer(route: RouteSpec, releaseId: string, signal: AbortSignal): Promise<{ reason: string; answered: boolean; ours: boolean } | null> {
    const entry = probeEntry(route, route.hosts[0] as string, traefik.entryUrl, traefik.httpsEntryUrl);
    const res = await probeHttp(`${entry}/`, { host: route.hosts[0] as string, timeoutMs: 2000, expectedStatus: 200, signal });
    if (res.status === null) return { reason: res.reason ?? 'no answer', answered: false, ours: false };
    const release = res.headers[RELEASE_HEADER.toLowerCase()];
    const ours = res.headers[DEPLOYMENT_HEADER.toLowerCase()] === route.deploymentId;
    if (res.ok && ours && release === releaseId) return null;
    return { reason: `HTTP ${res.status} from release ${String(release || 'none')}${ours ? '' : ' through another route'}`, answered: true, ours };
  }

  return {
    /** The release's directory answers on the preview host name through Traefik; records the `preview` phase. */
    async previewStaticRelease(input: PreviewSiteInput): Promise<{ phases: PhaseWrite[]; canaryServers?: string[] }> {
      await recordReport(db, input.report);
      const release = await findStaticRelease(db, input.releaseId, input.environmentId);
      if (!release) throw permanentFailure('ReleaseNotFound', `release ${input.releaseId} is not a static release of this environment`);
      return withHeartbeat(async (signal) => {
        const started = performance.now();
        const tls = previewTls(input.tls, input.host, input.tls?.mode === 'custom' && (await uploadedCovers(input.environmentId, input.host)));
        const route: RouteSpec = {
          environmentId: previewRouteKey(input.environmentId),
          deploymentId: input.deploymentId,
          hosts: [input.host],
          servers: [serverUrl],
          requestHeaders: siteRequestHeaders(input.appName, input.environmentName, release.settings, token, input.releaseId),
          ...(tls ? { tls } : {}),
          ...(input.canaryHop ? { hopPrefix: canaryHopPrefix(token, input.environmentId) } : {}),
        };
        // The environment's uploaded certificate before a route that needs it (a first deploy has none in place yet).
        if (tls?.mode === 'custom') await certificates.sync(input.environmentId, true);
        await files.write(route);
        const deadline = Date.now() + PREVIEW_TIMEOUT_MS;
        let last: { reason: string; answered: boolean; ours: boolean } | null = { reason: 'no answer', answered: false, ours: false };
        while (Date.now() < deadline) {
          last = await wrongAnswer(route, input.releaseId, signal);
          // Until Traefik has loaded the route, another answers (its 404): poll; the route's own wrong answer is final.
          if (!last || last.ours) break;
          await sleep(POLL_MS, undefined, { signal });
        }
        if (last) {
          // Nothing answered: Traefik may be away (retryable). A wrong answer is the preview's failure.
          if (!last.answered) throw new BerthError('RouteNotLive', `${input.host} did not answer through Traefik within ${PREVIEW_TIMEOUT_MS} ms (${last.reason})`);
          throw permanentFailure('RouteVerificationFailed', `through Traefik, ${input.host}/ did not answer from release ${release.number}: ${last.reason}`);
        }
        for (let i = 1; i < PREVIEW_ATTEMPTS; i++) {
          const wrong = await wrongAnswer(route, input.releaseId, signal);
          if (wrong) throw permanentFailure('RouteVerificationFailed', `through Traefik, ${input.host}/ answered ${wrong.reason}`);
        }
        const hop = route.hopPrefix ? canaryHopServer(traefik.entryUrl, route.hopPrefix) : null;
        if (hop) {
          // The canary's child will reach the release this way: it must answer from it too (same file, so loaded).
          const res = await probeHttp(`${hop}/`, { host: input.host, timeoutMs: 2000, expectedStatus: 200, signal });
          const answered = res.headers[RELEASE_HEADER.toLowerCase()];
          if (!res.ok || answered !== input.releaseId) {
            throw permanentFailure('RouteVerificationFailed', `through Traefik, the canary's path to release ${release.number} answered ${res.status === null ? (res.reason ?? 'nothing') : `HTTP ${res.status} from release ${String(answered || 'none')}`}`);
          }
        }
        const how = tls ? (tls.redirect ? ' over HTTPS' : ', on HTTPS too') : '';
        const message = `${input.host} answered from release ${release.number}${how}${hop ? ' (and the canary\'s path)' : ''} in ${Math.round(performance.now() - started)} ms`;
        const phases: PhaseWrite[] = [{ phase: 'preview', outcome: 'succeeded', message, at: Date.now() }];
        await recordReport(db, { deploymentId: input.deploymentId, phases });
        return hop ? { phases, canaryServers: [hop] } : { phases };
      });
    },
  };
}
