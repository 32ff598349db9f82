// Blue-green releases: the new release (green) runs beside the live one (blue) and answers on a
// host name of its own — `next.<the environment's first host>` — through Traefik, health-checked
// there, before one switch moves every host name of the environment to it. The preview route is
// a route file of its own (key `<environment>-next`), so the environment's route is untouched
// until the switch. With HTTPS, the preview host name is served on the HTTPS entrypoint too (and
// redirected there when the environment redirects), so the release is proven the way users reach it.
import { certifiable, type RouteTls } from './https.js';
import { serviceRouteKey } from './stack.js';

/** The label of the preview host name, before the environment's first host name. */
export const PREVIEW_LABEL = 'next';

/** Where a blue-green release answers before its switch; null when the environment has no host name. */
export function previewHost(hosts: string[]): string | null {
  const first = hosts[0];
  return first ? `${PREVIEW_LABEL}.${first}` : null;
}

/** The route key of an environment's preview route (its own Traefik file, router and service). */
export function previewRouteKey(environmentId: string): string {
  return serviceRouteKey(environmentId, PREVIEW_LABEL);
}

/**
 * Kinds whose deploys can run blue-green: those released behind one route — containers, or a
 * static site's release directory (served by its own site key until `current` moves) — and
 * stacks, whose exposed services each preview on a host name of their own (src/domain/stack-strategy.ts).
 */
export function appKindRunsBlueGreen(kind: string): boolean {
  return kind === 'image' || kind === 'git' || kind === 'static' || kind === 'stack';
}

/**
 * The preview's HTTPS: the environment's settings for the preview host name alone, when it can
 * have a certificate — an ACME one ordered for it, or the environment's uploaded one when that
 * covers it (`uploadedCovers`; otherwise it stays plain HTTP rather than redirect to a
 * certificate browsers refuse). Undefined: plain HTTP only.
 */
export function previewTls(tls: RouteTls | undefined, host: string, uploadedCovers: boolean): RouteTls | undefined {
  if (!tls || !certifiable(host)) return undefined;
  if (tls.mode === 'custom' && !uploadedCovers) return undefined;
  return { ...tls, certHosts: [host], www: 'none' };
}
