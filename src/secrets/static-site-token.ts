// The static server's shared secret: Traefik sends it with the site key (X-Berth-Site-Token)
// and nginx answers 404 without it, so nothing that reaches a host's static server directly
// (a container on that host, a machine on the private network) can name a site or a release.
// Derived from the installation's master key (BERTH_SECRET_KEY), so every host's worker, the
// static server and the route writers agree with no configuration of their own; an HMAC of a
// fixed label, so it says nothing about the key. Never logged, never shown by the API.
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import { KeyRing } from './key-ring.js';
import { loadSecretKey } from './secret-box.js';

const LABEL = 'berth static site token v1';

/** 64 hex digits (nothing the static server's map pattern would read as syntax). */
export function staticSiteToken(master: Buffer | KeyRing): string {
  return (Buffer.isBuffer(master) ? new KeyRing(master) : master).derive(LABEL);
}

/** The token of the configured key (for a static server started outside a worker's key ring). */
export function configuredStaticSiteToken(secrets: Config['secrets']): string {
  return staticSiteToken(loadSecretKey(secrets));
}

/**
 * Path prefix of an environment's static canary hop through Traefik (src/domain/static-canary.ts):
 * a digest of the token and the environment, so no client can guess it and the token itself
 * never travels through a workflow's history (the hop's URL does).
 */
export function canaryHopPrefix(token: string, environmentId: string): string {
  const key = createHash('sha256').update(`berth static canary hop\0${token}\0${environmentId}`).digest('hex').slice(0, 32);
  return `/.berth-release/${key}/${environmentId}`;
}
