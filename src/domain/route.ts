// The Traefik dynamic configuration of one environment: one router for its host names, one
// load-balanced service with a server per live replica, and with HTTPS on the routers of
// route-tls.ts.
import type { RouteTls } from './https.js';
import { parseSplit, splitConfig, type RouteSplit } from './route-split.js';
import { HTTP_ENTRYPOINT, hostRule, parseTls, ruleHosts, tlsRouters } from './route-tls.js';

export interface RouteSpec {
  environmentId: string;
  /** The deployment that made this route; Traefik adds it to every answer as a header. */
  deploymentId: string;
  hosts: string[];
  /** Backend URLs, e.g. http://127.0.0.1:32768 */
  servers: string[];
  /** Headers Traefik sets on requests to the servers (an empty value removes the header). */
  requestHeaders?: Record<string, string> | undefined;
  /** HTTPS for the certifiable hosts (absent: plain HTTP only). */
  tls?: RouteTls | undefined;
  /** A canary beside the servers (which stay the stable release's), with its share of traffic. */
  split?: RouteSplit | undefined;
  /**
   * A path prefix under which Traefik's HTTP entrypoint also serves this route, stripped on the
   * way (a static canary's hop, src/domain/static-canary.ts): matched before every host router.
   */
  hopPrefix?: string | undefined;
}

/** Above the redirect and split routers: the hop's request carries the user's host and headers. */
const HOP_PRIORITY = 200_000;

/** The route without its canary: what the environment serves when the canary ends either way. */
export function withoutSplit(route: RouteSpec): RouteSpec {
  const { split: _split, ...rest } = route;
  return rest;
}

export function routeName(environmentId: string): string {
  return `berth-${environmentId}`;
}

/** Response header naming the deployment whose route answered: how a switch is confirmed. */
export const DEPLOYMENT_HEADER = 'X-Berth-Deployment';

/** Route files start with their Berth instance's name: an instance only touches its own. */
export function routeFilePrefix(instance: string): string {
  return `${instance}--env-`;
}

export function routeFileName(instance: string, environmentId: string): string {
  return `${routeFilePrefix(instance)}${environmentId}.yml`;
}

/** Host names an environment answers on: <app>.<env>.<apps domain> plus its own domains. */
export function environmentHosts(appName: string, environmentName: string, appsDomain: string, domains: string[]): string[] {
  return [...new Set([`${appName}.${environmentName}.${appsDomain}`, ...domains])];
}

export function traefikRouteConfig(route: RouteSpec): object {
  const name = routeName(route.environmentId);
  const rule = hostRule(route.hosts);
  const tls = route.tls ? tlsRouters(name, route.tls) : { routers: {}, middlewares: {} };
  const split = route.split ? splitConfig(name, route, route.split, DEPLOYMENT_HEADER) : { routers: {}, middlewares: {}, services: {} };
  const hop = route.hopPrefix
    ? {
        routers: { [`${name}-hop`]: { rule: `PathPrefix(\`${route.hopPrefix}/\`)`, service: name, entryPoints: [HTTP_ENTRYPOINT], middlewares: [`${name}-hop`, name], priority: HOP_PRIORITY } },
        middlewares: { [`${name}-hop`]: { stripPrefix: { prefixes: [route.hopPrefix] } } },
      }
    : { routers: {}, middlewares: {} };
  return {
    http: {
      routers: { [name]: { rule, service: name, entryPoints: [HTTP_ENTRYPOINT], middlewares: [name] }, ...tls.routers, ...split.routers, ...hop.routers },
      middlewares: {
        ...tls.middlewares,
        ...split.middlewares,
        ...hop.middlewares,
        [name]: {
          headers: {
            customResponseHeaders: { [DEPLOYMENT_HEADER]: route.deploymentId },
            ...(route.requestHeaders ? { customRequestHeaders: route.requestHeaders } : {}),
          },
        },
      },
      services: {
        [name]: {
          loadBalancer: {
            passHostHeader: true,
            servers: route.servers.map((url) => ({ url })),
          },
        },
        ...split.services,
      },
    },
  };
}

/** Reads back a file written by traefikRouteConfig; null when it is not one. */
export function parseRouteConfig(environmentId: string, text: string): RouteSpec | null {
  try {
    const name = routeName(environmentId);
    const config = JSON.parse(text) as {
      http?: {
        routers?: Record<string, { rule?: string }>;
        middlewares?: Record<string, { headers?: { customResponseHeaders?: Record<string, string>; customRequestHeaders?: Record<string, string> } }>;
        services?: Record<string, { loadBalancer?: { servers?: { url: string }[] } }>;
      };
    };
    const rule = config.http?.routers?.[name]?.rule;
    const split = parseSplit(name, (config.http ?? {}) as Parameters<typeof parseSplit>[1], DEPLOYMENT_HEADER);
    const servers = split?.servers ?? config.http?.services?.[name]?.loadBalancer?.servers?.map((s) => s.url);
    const headers = config.http?.middlewares?.[name]?.headers;
    const deploymentId = headers?.customResponseHeaders?.[DEPLOYMENT_HEADER];
    if (!rule || !servers || !deploymentId) return null;
    const hosts = ruleHosts(rule);
    const spec: RouteSpec = { environmentId, deploymentId, hosts, servers };
    if (split) spec.split = split.split;
    if (headers?.customRequestHeaders) spec.requestHeaders = headers.customRequestHeaders;
    const tls = parseTls(name, (config.http ?? {}) as Parameters<typeof parseTls>[1]);
    if (tls) spec.tls = tls;
    return spec;
  } catch {
    return null;
  }
}
