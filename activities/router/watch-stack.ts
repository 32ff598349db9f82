// A stack's post-switch watch (the deploy skeleton's watch for kind stack): every host name of
// every exposed service is probed through Traefik's entrypoint at the service's health path —
// an answer from another deployment than this one is a failed probe — and the Traefik services
// of the stack's exposed services are read together for the 5xx ratio and the p95. Judged as an
// image's release is (src/domain/post-switch-watch.ts), a service's failures in a row counted
// on their own.
import type { RouteTls } from '../../src/domain/https.js';
import type { PhaseReport } from '../../src/domain/phases.js';
import type { WatchSettings } from '../../src/domain/post-switch-watch.js';
import { DEPLOYMENT_HEADER } from '../../src/domain/route.js';
import { probeEntry } from './probe-entry.js';
import type { WatchInput, Watched } from './watch-release.js';

/** One exposed service of the stack, as its route names it. */
export interface WatchedService {
  routeKey: string;
  hosts: string[];
  path: string;
  tls?: RouteTls | undefined;
}

export interface StackWatchInput {
  report: PhaseReport;
  environmentId: string;
  deploymentId: string;
  services: WatchedService[];
  watch: WatchSettings;
}

/** A stack service's health check through Traefik: any 200, within the image default's timeout. */
const CHECK = { expectedStatus: 200, timeoutMs: 2000 };

export function createWatchStack(deps: { watch: (input: WatchInput) => Promise<Watched>; entryUrl: string; httpsEntryUrl: string }) {
  return {
    async watchStackRelease(input: StackWatchInput): Promise<Watched> {
      const header: [string, string] = [DEPLOYMENT_HEADER.toLowerCase(), input.deploymentId];
      const targets = input.services.flatMap((s) =>
        s.hosts
          .filter((host) => !host.startsWith('*.'))
          .map((host) => ({
            url: probeEntry({ environmentId: s.routeKey, deploymentId: input.deploymentId, hosts: s.hosts, servers: [], tls: s.tls }, host, deps.entryUrl, deps.httpsEntryUrl),
            host,
            header,
            path: s.path,
          })),
      );
      return deps.watch({
        report: input.report,
        environmentId: input.environmentId,
        servers: [],
        targets,
        routeKeys: input.services.map((s) => s.routeKey),
        streakPerTarget: true,
        check: { path: '/', ...CHECK },
        watch: input.watch,
      });
    },
  };
}
