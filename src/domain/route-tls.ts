// The HTTPS part of an environment's Traefik file. The plain router keeps every host (so the
// file reads back the same way with or without TLS); beside it a router on the HTTPS
// entrypoint for the certified hosts, and, when HTTP redirects, a router of higher priority on
// the HTTP entrypoint for those hosts. ACME's own challenge router outranks every one of them.
import { wwwPairs, type Hsts, type RouteTls, type WwwRedirect } from './https.js';

export const HTTP_ENTRYPOINT = 'web';
export const HTTPS_ENTRYPOINT = 'websecure';
/** Above any rule-length priority Traefik computes for a plain router. */
const REDIRECT_PRIORITY = 100_000;

type Router = { rule: string; service: string; entryPoints: string[]; middlewares: string[]; priority?: number; tls?: object };

/** Traefik rule for host names; a wildcard (dns-01 only) matches one label. */
export function hostRule(hosts: string[]): string {
  return hosts
    .map((h) => (h.startsWith('*.') ? `HostRegexp(\`^[a-z0-9-]+${escapeRegex(h.slice(1))}$\`)` : `Host(\`${h}\`)`))
    .join(' || ');
}

/** Host names back out of a rule written by hostRule. */
export function ruleHosts(rule: string): string[] {
  return [...rule.matchAll(/Host\(`([^`]+)`\)|HostRegexp\(`\^\[a-z0-9-\]\+((?:\\\.[^`$]+)+)\$`\)/g)].map((m) =>
    m[1] !== undefined ? m[1] : `*${(m[2] as string).replace(/\\\./g, '.')}`,
  );
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function wwwMiddleware(www: WwwRedirect, hosts: string[]): object | null {
  const pairs = wwwPairs(hosts);
  if (www === 'none' || pairs.length === 0) return null;
  const apexes = pairs.map(escapeRegex).join('|');
  // Scheme and port are kept: the same redirect serves both entrypoints.
  return www === 'to-apex'
    ? { redirectRegex: { regex: `^(https?)://www\\.(${apexes})(:[0-9]+)?(/.*)?$`, replacement: '${1}://${2}${3}${4}', permanent: true } }
    : { redirectRegex: { regex: `^(https?)://(${apexes})(:[0-9]+)?(/.*)?$`, replacement: '${1}://www.${2}${3}${4}', permanent: true } };
}

/** Routers and middlewares the TLS settings add to a route named `name`. */
export function tlsRouters(name: string, tls: RouteTls): { routers: Record<string, Router>; middlewares: Record<string, object> } {
  const routers: Record<string, Router> = {};
  const middlewares: Record<string, object> = {};
  const rule = hostRule(tls.certHosts);
  const www = wwwMiddleware(tls.www, tls.certHosts);
  if (www) middlewares[`${name}-www`] = www;
  if (tls.hsts) {
    middlewares[`${name}-hsts`] = { headers: { stsSeconds: tls.hsts.maxAge, stsIncludeSubdomains: tls.hsts.includeSubDomains, stsPreload: tls.hsts.preload } };
  }
  const secure: string[] = [name, ...(tls.hsts ? [`${name}-hsts`] : []), ...(www ? [`${name}-www`] : [])];
  routers[`${name}-secure`] = {
    rule,
    service: name,
    entryPoints: [HTTPS_ENTRYPOINT],
    middlewares: secure,
    // One certificate per host: a host whose order fails holds no other host's certificate back.
    tls: tls.resolver ? { certResolver: tls.resolver, domains: tls.certHosts.map((main) => ({ main })) } : {},
  };
  if (tls.redirect) {
    middlewares[`${name}-https`] = { redirectScheme: { scheme: 'https', permanent: true, ...(tls.httpsPort ? { port: String(tls.httpsPort) } : {}) } };
    routers[`${name}-redirect`] = {
      rule,
      service: name,
      entryPoints: [HTTP_ENTRYPOINT],
      middlewares: [name, ...(www ? [`${name}-www`] : []), `${name}-https`],
      priority: REDIRECT_PRIORITY,
    };
  }
  return { routers, middlewares };
}

interface ParsedConfig {
  routers?: Record<string, { rule?: string; tls?: { certResolver?: string } }>;
  middlewares?: Record<
    string,
    {
      headers?: { stsSeconds?: number; stsIncludeSubdomains?: boolean; stsPreload?: boolean };
      redirectScheme?: { port?: string };
      redirectRegex?: { replacement?: string };
    }
  >;
}

/** The TLS settings a file written by tlsRouters carries; undefined when it has none. */
export function parseTls(name: string, http: ParsedConfig): RouteTls | undefined {
  const secure = http.routers?.[`${name}-secure`];
  if (!secure?.rule || !secure.tls) return undefined;
  const sts = http.middlewares?.[`${name}-hsts`]?.headers;
  const hsts: Hsts | null = sts ? { maxAge: sts.stsSeconds ?? 0, includeSubDomains: sts.stsIncludeSubdomains ?? false, preload: sts.stsPreload ?? false } : null;
  const replacement = http.middlewares?.[`${name}-www`]?.redirectRegex?.replacement;
  const redirect = http.routers?.[`${name}-redirect`] !== undefined;
  const port = http.middlewares?.[`${name}-https`]?.redirectScheme?.port;
  return {
    mode: secure.tls.certResolver ? 'auto' : 'custom',
    resolver: secure.tls.certResolver ?? null,
    certHosts: ruleHosts(secure.rule),
    redirect,
    hsts,
    www: replacement === undefined ? 'none' : replacement.includes('www.') ? 'to-www' : 'to-apex',
    httpsPort: port ? Number(port) : null,
  };
}
