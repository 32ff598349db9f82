// Static sites: how a site is named on disk and to the static server, the settings it is
// served with, and which files count as fingerprinted. Pure, shared by the API (validation),
// the activities (route and server configuration) and the unit tests.

/** How a static environment is served; snapshotted per release, so a rollback serves as it was. */
export interface StaticSiteSettings {
  /** Paths that match no file answer /index.html with 200 (single-page apps). */
  spa: boolean;
  /** Page sent with 404 answers when the release has it; null: a plain 404. */
  notFoundPage: string | null;
}

export const DEFAULT_STATIC_SETTINGS: StaticSiteSettings = { spa: false, notFoundPage: '/404.html' };

/**
 * A page path inside a release: absolute, segments that never start with a dot (so no "..",
 * no dotfiles), URL-safe characters only. The static server trusts paths that match it.
 */
export const SITE_PAGE_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99}){1,16}$/;

/**
 * A fingerprinted asset: a name with a content hash (8+ letters and digits after a dot or a
 * hyphen, at least one of them a digit or an upper-case letter, so "app.settings.js" is not
 * one) and an asset extension; or anything under /_next/static/. Served immutable for a year.
 * One pattern for JavaScript and nginx (PCRE): no flags, no JavaScript-only syntax.
 */
export const FINGERPRINTED_ASSET =
  '(?:^/_next/static/|[.-](?=[A-Za-z0-9_]*[0-9A-Z])[A-Za-z0-9_]{8,}\\.(?:js|mjs|css|map|json|wasm|png|jpe?g|gif|svg|webp|avif|ico|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|txt)$)';

export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
export const REVALIDATE_CACHE = 'no-cache';

/** Cache-Control for a request path: immutable for fingerprinted assets, revalidate otherwise. */
export function cacheControlFor(path: string): string {
  return new RegExp(FINGERPRINTED_ASSET).test(path) ? IMMUTABLE_CACHE : REVALIDATE_CACHE;
}

/**
 * Request headers Traefik sets on the way to the static server: which site, and its settings.
 * Every one is always set (an empty value removes a header), so a client can never send its own.
 */
export const SITE_HEADER = 'X-Berth-Site';
export const SPA_HEADER = 'X-Berth-Spa';
export const NOT_FOUND_HEADER = 'X-Berth-Not-Found';
/**
 * The installation's static site token (src/secrets/static-site-token.ts): the static server
 * answers 404 to a request without it, so the site header counts only when Traefik sent it.
 */
export const SITE_TOKEN_HEADER = 'X-Berth-Site-Token';
/** Response header the static server adds: the release whose files answered. */
export const RELEASE_HEADER = 'X-Berth-Release';

/**
 * A route saved before the site token existed (a route file being put back) carries the token
 * now; any other route is returned as it is.
 */
export function withSiteToken<T extends { requestHeaders?: Record<string, string> | undefined }>(route: T, token: string): T {
  const headers = route.requestHeaders;
  if (!headers || headers[SITE_HEADER] === undefined || headers[SITE_TOKEN_HEADER] === token) return route;
  // The token first, as siteRequestHeaders writes it (reconcile compares routes as JSON).
  return { ...route, requestHeaders: Object.fromEntries([[SITE_TOKEN_HEADER, token], ...Object.entries(headers).filter(([k]) => k !== SITE_TOKEN_HEADER)]) };
}

/** The site key the static server maps to <static dir>/<app>/<env>/current. */
export function siteKey(appName: string, environmentName: string): string {
  return `${appName}/${environmentName}`;
}

/**
 * The site key of one release, `<app>/<env>@<release id>`: the static server serves that
 * release's directory instead of `current` (a blue-green preview, before `current` moves). Only
 * Traefik sets the site header (with the site token), so no client can ask for a release this way.
 */
export function releaseSiteKey(appName: string, environmentName: string, releaseId: string): string {
  return `${siteKey(appName, environmentName)}@${releaseId}`;
}

/** Release ids as the static server accepts them in a site key. */
export const SITE_RELEASE_ID = '[a-z]{2,8}_[a-z0-9]{8,40}';

export function siteRequestHeaders(appName: string, environmentName: string, settings: StaticSiteSettings, token: string, releaseId?: string): Record<string, string> {
  return {
    [SITE_TOKEN_HEADER]: token,
    [SITE_HEADER]: releaseId ? releaseSiteKey(appName, environmentName, releaseId) : siteKey(appName, environmentName),
    [SPA_HEADER]: settings.spa ? '1' : '',
    [NOT_FOUND_HEADER]: settings.notFoundPage ?? '',
  };
}
