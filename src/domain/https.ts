// An environment's HTTPS settings and what they make of its route: which host names get a
// certificate, from which ACME challenge (or an uploaded certificate), and the redirects and
// HSTS its routers carry. Pure: shared by the API, the activities and the workflows.

export type HttpsMode = 'auto' | 'custom' | 'off';
export type AcmeChallenge = 'http-01' | 'tls-alpn-01' | 'dns-01';
export type WwwRedirect = 'none' | 'to-www' | 'to-apex';

export interface Hsts {
  maxAge: number;
  includeSubDomains: boolean;
  preload: boolean;
}

export interface HttpsSettings {
  mode: HttpsMode;
  challenge: AcmeChallenge;
  /** Plain HTTP on a certified host answers with a permanent redirect to HTTPS. */
  redirect: boolean;
  /** Off by default: once a browser has seen it, the host cannot go back to HTTP for max-age. */
  hsts: Hsts | null;
  www: WwwRedirect;
}

export const DEFAULT_HTTPS: HttpsSettings = { mode: 'off', challenge: 'http-01', redirect: true, hsts: null, www: 'none' };

/** Certificate resolver names in Traefik's static configuration, one per challenge. */
export const ACME_RESOLVERS: Record<AcmeChallenge, string> = {
  'http-01': 'berth-http',
  'tls-alpn-01': 'berth-tlsalpn',
  'dns-01': 'berth-dns',
};

/** What the route files say about TLS (no secret: an uploaded key goes into a file of its own). */
export interface RouteTls {
  mode: 'auto' | 'custom';
  /** Traefik's certificate resolver (auto); null for an uploaded certificate. */
  resolver: string | null;
  /** Hosts served over HTTPS with a certificate of their own; the others stay plain HTTP. */
  certHosts: string[];
  redirect: boolean;
  hsts: Hsts | null;
  www: WwwRedirect;
  /** Port HTTP redirects to (null: the scheme's default, 443). */
  httpsPort: number | null;
}

export function isWildcard(host: string): boolean {
  return host.startsWith('*.');
}

/** No CA issues for loopback names or addresses: those stay plain HTTP. */
export function certifiable(host: string): boolean {
  return host !== 'localhost' && !host.endsWith('.localhost') && !/^[\d.]+$/.test(host) && !host.includes(':');
}

/** The route's TLS part; undefined when HTTPS is off or no host can have a certificate. */
export function routeTls(settings: HttpsSettings | null | undefined, hosts: string[], httpsPort: number): RouteTls | undefined {
  if (!settings || settings.mode === 'off') return undefined;
  const certHosts = hosts.filter(certifiable);
  if (certHosts.length === 0) return undefined;
  return {
    mode: settings.mode,
    resolver: settings.mode === 'auto' ? ACME_RESOLVERS[settings.challenge] : null,
    certHosts,
    redirect: settings.redirect,
    hsts: settings.hsts,
    // Normalised to what the route file can say, so a file read back compares equal.
    www: wwwPairs(certHosts).length > 0 ? settings.www : 'none',
    httpsPort: settings.redirect && httpsPort !== 443 ? httpsPort : null,
  };
}

/** Apex names whose www. twin the environment also serves: the pairs a www redirect joins. */
export function wwwPairs(hosts: string[]): string[] {
  const set = new Set(hosts);
  return hosts.filter((h) => !h.startsWith('www.') && !isWildcard(h) && set.has(`www.${h}`));
}

/**
 * A stack service's TLS: the environment's ACME settings for the service's own certifiable
 * names. An uploaded certificate belongs to the environment's route and is not used for services.
 */
export function serviceTls(tls: RouteTls | undefined, hosts: string[]): RouteTls | undefined {
  if (!tls) return undefined;
  // ACME orders a certificate for each of the service's own names; an uploaded one covers the
  // environment's names only, so only a service answering on those serves it.
  const certHosts = tls.mode === 'auto' ? hosts.filter(certifiable) : hosts.filter((h) => tls.certHosts.includes(h));
  if (certHosts.length === 0) return undefined;
  return { ...tls, certHosts, www: wwwPairs(certHosts).length > 0 ? tls.www : 'none' };
}
