import type { RouteSpec } from '../../src/domain/route.js';

/**
 * Where a confirmation probe of `host` goes: the HTTPS entrypoint when plain HTTP on it only
 * redirects there. The probe does not check the certificate, which may still be on its way.
 */
export function probeEntry(route: RouteSpec, host: string, entryUrl: string, httpsEntryUrl: string): string {
  return route.tls?.redirect && route.tls.certHosts.includes(host) ? httpsEntryUrl : entryUrl;
}
