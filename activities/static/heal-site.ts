// Reconcile for a static environment on its host: `current` must point at the live release
// (re-pointed when missing or wrong, if the release's files are there), and the environment's
// route must send its hosts to the static server with the live release's settings. A blue-green
// preview route left behind by a finished deployment (its removal after the switch failed) goes:
// it names one release (`<app>/<env>@<release>`), so next.<host> would serve that release forever.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deployments } from '../../db/schema/index.js';
import { previewRouteKey } from '../../src/domain/blue-green.js';
import { isFinalStatus } from '../../src/domain/deployment.js';
import type { ReconcileEventInput } from '../store/reconcile.js';
import { siteRequestHeaders } from '../../src/domain/static-site.js';
import { staticSiteToken } from '../../src/secrets/static-site-token.js';
import type { RouteTls } from '../../src/domain/https.js';
import { routeName, type RouteSpec } from '../../src/domain/route.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { pointCurrent, readCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { createCertificateFiles } from '../router/certificate-files.js';
import { createRouteFiles } from '../router/route-files.js';
import { berthServices, sameServers } from '../router/traefik-api.js';
import { exists } from './prepare-release.js';
import { findStaticRelease } from './release-store.js';

export interface HealSiteInput {
  environmentId: string;
  appName: string;
  environmentName: string;
  hosts: string[];
  tls?: RouteTls | undefined;
  live: { releaseId: string; deploymentId: string };
}

interface Deps {
  db: Db;
  staticDir: string;
  serverUrl: string;
  traefik: { routesDir: string; apiUrl: string };
  instance: string;
  box: SecretBox;
}

export function createHealStaticSite({ db, staticDir, serverUrl, traefik, instance, box }: Deps) {
  const files = createRouteFiles(traefik.routesDir, instance);
  const certificates = createCertificateFiles(traefik.routesDir, instance, db, box);
  const token = staticSiteToken(box.ring);
  /** The deployment of a preview route whose deployment has finished (reconcile runs when none is in progress); else null. */
  async function stalePreview(environmentId: string): Promise<string | null> {
    const route = await files.read(previewRouteKey(environmentId));
    if (!route) return null;
    const [owner] = await db.select({ status: deployments.status }).from(deployments).where(eq(deployments.id, route.deploymentId));
    return !owner || isFinalStatus(owner.status) ? route.deploymentId : null;
  }

  return async function healStaticSite(input: HealSiteInput): Promise<ReconcileEventInput[]> {
    const { environmentId, live } = input;
    const events: ReconcileEventInput[] = [];
    const paths = sitePaths(staticDir, input.appName, input.environmentName);
    const pointed = await readCurrent(paths);
    if (pointed !== live.releaseId) {
      const drift = pointed === null ? 'symlink-missing' : 'symlink-wrong';
      if (await exists(paths.release(live.releaseId))) {
        await pointCurrent(paths, live.releaseId);
        events.push({ environmentId, drift, action: 'repointed', outcome: 'done', detail: { from: pointed, to: live.releaseId } });
      } else {
        events.push({ environmentId, drift, action: 'none', outcome: 'failed', detail: { reason: 'the live release has no files on this host', releaseId: live.releaseId } });
      }
    }
    const preview = await stalePreview(environmentId);
    if (preview) {
      await files.remove(previewRouteKey(environmentId));
      events.push({ environmentId, drift: 'preview-route-left', action: 'route-removed', outcome: 'done', detail: { deploymentId: preview } });
    }
    const release = await findStaticRelease(db, live.releaseId, environmentId);
    if (!release) return events;
    const current = await files.read(environmentId);
    const route: RouteSpec = {
      environmentId,
      // A static route names the deployment that last changed it: keep it when only re-written.
      deploymentId: current?.deploymentId ?? live.deploymentId,
      hosts: input.hosts,
      servers: [serverUrl],
      requestHeaders: siteRequestHeaders(input.appName, input.environmentName, release.settings, token),
      tls: input.tls,
    };
    let drift: string | null = null;
    if (!current) drift = 'route-missing';
    else if (
      JSON.stringify([current.hosts, current.servers, current.requestHeaders ?? null, current.tls ?? null]) !==
        JSON.stringify([route.hosts, route.servers, route.requestHeaders, route.tls ?? null]) ||
      (await certificates.sync(environmentId, route.tls?.mode === 'custom')) !== 'unchanged'
    ) {
      drift = 'route-altered';
    } else if (!sameServers((await berthServices(traefik.apiUrl)).get(`${routeName(environmentId)}@file`) ?? null, route.servers)) {
      drift = 'route-not-loaded';
    }
    if (drift) {
      await certificates.sync(environmentId, route.tls?.mode === 'custom');
      await files.write(route);
      events.push({ environmentId, drift, action: 'route-written', outcome: 'done', detail: { servers: route.servers } });
    }
    return events;
  };
}
