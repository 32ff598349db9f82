// A canary's part of an environment's Traefik file: the environment's service becomes a
// weighted one over two load balancers of their own, <route>-stable and <route>-canary (so
// Traefik's per-service metrics tell the two versions apart), with a sticky cookie that keeps a
// user on the version that first answered; and requests carrying the split's header or cookie
// reach the canary through a router of higher priority, whatever the weights.
import type { SplitMatch } from './canary.js';
import type { RouteTls } from './https.js';
import { HTTP_ENTRYPOINT, HTTPS_ENTRYPOINT, hostRule } from './route-tls.js';

/** The new release beside the stable one, and its share of the traffic. */
export interface RouteSplit {
  /** The canary's deployment; Traefik adds it to the answers of the header/cookie router. */
  deploymentId: string;
  servers: string[];
  /** Percent of the traffic (0–99) the weighted service gives the canary. */
  weight: number;
  header?: SplitMatch | null | undefined;
  cookie?: SplitMatch | null | undefined;
}

/** Below the HTTP→HTTPS redirect's priority, above any rule-length priority of a plain router. */
const SPLIT_PRIORITY = 50_000;

export const stableServiceName = (name: string) => `${name}-stable`;
export const canaryServiceName = (name: string) => `${name}-canary`;
/** The sticky cookie keeping a user on one version during the canary. */
export const stickyCookieName = (name: string) => `${name.replace(/[^A-Za-z0-9_]/g, '_')}_version`;

/** A server URL with a path (a static canary's hop) keeps it: Traefik prefixes requests with it. */
const serverOf = (url: string) => (new URL(url).pathname.length > 1 ? { url, preservePath: true } : { url });
const loadBalancer = (servers: string[]) => ({ loadBalancer: { passHostHeader: true, servers: servers.map(serverOf) } });

/** A Traefik rule matching the split's header or cookie (values are literal, not patterns). */
export function splitMatchRule(split: Pick<RouteSplit, 'header' | 'cookie'>): string | null {
  const parts: string[] = [];
  if (split.header) parts.push(`Header(\`${split.header.name}\`, \`${split.header.value}\`)`);
  if (split.cookie) parts.push(`HeaderRegexp(\`Cookie\`, \`(^|;\\s*)${escapeRegex(split.cookie.name)}=${escapeRegex(split.cookie.value)}(;|$)\`)`);
  return parts.length ? parts.join(' || ') : null;
}

/** Routers, middlewares and services the split adds to (or puts in place of) the route's own. */
export function splitConfig(name: string, route: { hosts: string[]; servers: string[]; tls?: RouteTls | undefined }, split: RouteSplit, deploymentHeader: string) {
  const services: Record<string, object> = {
    [name]: {
      weighted: {
        // A weight of 0 leaves the canary out of the rotation; the header router still reaches it.
        services: [{ name: stableServiceName(name), weight: 100 - split.weight }, ...(split.weight > 0 ? [{ name: canaryServiceName(name), weight: split.weight }] : [])],
        sticky: { cookie: { name: stickyCookieName(name), httpOnly: true, sameSite: 'lax' } },
      },
    },
    [stableServiceName(name)]: loadBalancer(route.servers),
    [canaryServiceName(name)]: loadBalancer(split.servers),
  };
  const middlewares: Record<string, object> = { [canaryServiceName(name)]: { headers: { customResponseHeaders: { [deploymentHeader]: split.deploymentId } } } };
  const routers: Record<string, object> = {};
  const match = splitMatchRule(split);
  if (match) {
    routers[canaryServiceName(name)] = {
      rule: `(${hostRule(route.hosts)}) && (${match})`,
      service: canaryServiceName(name),
      entryPoints: [HTTP_ENTRYPOINT],
      middlewares: [canaryServiceName(name)],
      priority: SPLIT_PRIORITY,
    };
    if (route.tls) {
      routers[`${canaryServiceName(name)}-secure`] = {
        rule: `(${hostRule(route.tls.certHosts)}) && (${match})`,
        service: canaryServiceName(name),
        entryPoints: [HTTPS_ENTRYPOINT],
        middlewares: [canaryServiceName(name)],
        priority: SPLIT_PRIORITY,
        tls: route.tls.resolver ? { certResolver: route.tls.resolver, domains: route.tls.certHosts.map((main) => ({ main })) } : {},
      };
    }
  }
  return { services, middlewares, routers };
}

interface ParsedSplit {
  services?: Record<string, { weighted?: { services?: { name: string; weight?: number }[] }; loadBalancer?: { servers?: { url: string }[] } }>;
  middlewares?: Record<string, { headers?: { customResponseHeaders?: Record<string, string> } }>;
}

/** The stable servers and the split of a file written with splitConfig; null when it has none. */
export function parseSplit(name: string, http: ParsedSplit, deploymentHeader: string): { servers: string[]; split: RouteSplit } | null {
  const weighted = http.services?.[name]?.weighted?.services;
  const stable = http.services?.[stableServiceName(name)]?.loadBalancer?.servers;
  const canary = http.services?.[canaryServiceName(name)]?.loadBalancer?.servers;
  const deploymentId = http.middlewares?.[canaryServiceName(name)]?.headers?.customResponseHeaders?.[deploymentHeader];
  if (!weighted || !stable || !canary || !deploymentId) return null;
  const weight = weighted.find((s) => s.name === canaryServiceName(name))?.weight ?? 0;
  return { servers: stable.map((s) => s.url), split: { deploymentId, servers: canary.map((s) => s.url), weight } };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
