// A blue-green release's preview (src/domain/blue-green.ts): the new release's servers behind a
// route file of their own for the preview host name, applied (Traefik's API shows its servers)
// and confirmed through the entrypoint — answers from the new deployment that pass its health
// check — while the environment's own route still leads to the live release. Removed after
// the switch, or by the deployment's undo when anything fails first.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { environmentCertificates } from '../../db/schema/index.js';
import { previewRouteKey, previewTls } from '../../src/domain/blue-green.js';
import type { RouteTls } from '../../src/domain/https.js';
import { nameCovers } from '../../src/tls/certificate-check.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import type { RouteSpec } from '../../src/domain/route.js';
import { stackRouteEnvironment } from '../../src/domain/stack.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordReport } from '../store/deployments.js';
import type { Verification } from './index.js';

export interface PreviewDeps {
  db: Db;
  /** Writes (or, with null, removes) the route file of a key and waits until Traefik's API shows it. */
  apply(routeKey: string, route: RouteSpec | null, signal: AbortSignal): Promise<void>;
  /** Answers through the entrypoint for the route's first host come from its deployment and pass the check. */
  confirm(route: RouteSpec, check: Verification, signal: AbortSignal): Promise<void>;
}

export function createPreviewRoutes({ db, apply, confirm }: PreviewDeps) {
  /** Whether the environment's uploaded certificate names the host. */
  async function uploadedCovers(environmentId: string, host: string): Promise<boolean> {
    const [cert] = await db.select({ names: environmentCertificates.names }).from(environmentCertificates).where(eq(environmentCertificates.environmentId, environmentId));
    return cert ? cert.names.some((n) => nameCovers(n, host)) : false;
  }

  return {
    /** The new release answers on `host` through Traefik, healthy; records the `preview` phase. */
    async previewRelease(input: {
      report: PhaseReport;
      environmentId: string;
      deploymentId: string;
      host: string;
      servers: string[];
      verify: Verification;
      /** The environment's HTTPS (absent in histories before the preview had it: plain HTTP). */
      tls?: RouteTls | undefined;
    }): Promise<{ phases: PhaseWrite[] }> {
      await recordReport(db, input.report);
      return withHeartbeat(async (signal) => {
        const started = performance.now();
        // A stack service's route key names its environment first (its certificate is the environment's).
        const covered = input.tls?.mode === 'custom' && (await uploadedCovers(stackRouteEnvironment(input.environmentId), input.host));
        const tls = previewTls(input.tls, input.host, covered === true);
        const route: RouteSpec = { environmentId: previewRouteKey(input.environmentId), deploymentId: input.deploymentId, hosts: [input.host], servers: input.servers, ...(tls ? { tls } : {}) };
        await apply(route.environmentId, route, signal);
        // Through the HTTPS entrypoint when plain HTTP redirects there (probe-entry.ts).
        await confirm(route, input.verify, signal);
        const message = `${input.host} answered from the new release (${input.servers.length} server(s))${tls ? (tls.redirect ? ' over HTTPS' : ', on HTTPS too') : ''} in ${Math.round(performance.now() - started)} ms`;
        const phases: PhaseWrite[] = [{ phase: 'preview', outcome: 'succeeded', message, at: Date.now() }];
        await recordReport(db, { deploymentId: input.deploymentId, service: input.report.service, phases });
        return { phases };
      });
    },

    /** Removes the environment's preview route (nothing when there is none). */
    async removePreview(input: { environmentId: string }): Promise<void> {
      await withHeartbeat((signal) => apply(previewRouteKey(input.environmentId), null, signal));
    },
  };
}
