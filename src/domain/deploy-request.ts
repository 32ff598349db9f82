// The part of a deploy request that follows from the app and the environment as they are now.
import type { AppKind, DeployRequest } from './deployment.js';
import type { EffectiveSettings } from './environment-settings.js';
import { routeTls, type HttpsSettings } from './https.js';
import type { CanaryOverrides } from './canary.js';
import { requestStrategy } from './release-strategy.js';
import { environmentHosts } from './route.js';
import { hostDomains } from './domain-pattern.js';

export interface RequestSite {
  appsDomain: string;
  hostId: string;
  /** Traefik's entrypoint port, for the environment URL shown on GitHub. */
  traefikPort: number;
  /** Where HTTP redirects to HTTPS point. */
  httpsPort: number;
  publicUrl: string;
  /** The post-switch watch's length where an environment sets none (BERTH_WATCH_SECONDS). */
  watchSeconds?: number;
}

export interface RequestApp {
  id: string;
  name: string;
  kind: AppKind;
}

export interface RequestEnvironment {
  id: string;
  name: string;
  domains: string[];
  /** The host name its domains pattern gives it (src/domain/domain-pattern.ts). */
  patternDomain: string | null;
  https?: HttpsSettings | null;
  /** The environment's own canary settings (not inherited). */
  canary?: CanaryOverrides | null;
  /** The registered host it is placed on (null: the installation's own, site.hostId). */
  hostId?: string | null;
}

/** The inherited settings a request carries, resolved through the parent chain. */
export type RequestSettings = Pick<EffectiveSettings, 'queuePolicy' | 'cancelSuperseded' | 'retention' | 'drainSeconds' | 'watch' | 'standbySeconds' | 'strategy'>;

export type RequestBase = Omit<DeployRequest, 'deploymentId' | 'kind' | 'trigger'>;

export function requestBase(app: RequestApp, env: RequestEnvironment, settings: RequestSettings, site: RequestSite): RequestBase {
  const hosts = environmentHosts(app.name, env.name, site.appsDomain, hostDomains(env));
  return {
    appId: app.id,
    appKind: app.kind,
    appName: app.name,
    environmentId: env.id,
    environmentName: env.name,
    queuePolicy: settings.queuePolicy,
    cancelSuperseded: settings.cancelSuperseded,
    retention: settings.retention,
    drainSeconds: settings.drainSeconds,
    watch: settings.watch,
    standbySeconds: settings.standbySeconds,
    // The environment's strategy; a deploy that names its own replaces this part.
    ...requestStrategy(app.kind, { strategy: settings.strategy, canary: env.canary }),
    hosts,
    tls: routeTls(env.https, hosts, site.httpsPort),
    // Every per-host step of the deploy runs on the task queue of the host the environment is placed on.
    hostId: env.hostId ?? site.hostId,
  };
}

/** Where the environment answers, as a URL (GitHub's "View deployment" link). */
export function environmentUrl(base: Pick<RequestBase, 'hosts'>, site: RequestSite): string {
  return `http://${base.hosts[0]}:${site.traefikPort}`;
}
