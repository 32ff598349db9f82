// A static site's canary: both releases served at once behind the environment's weighted
// service. Traefik sets request headers per router, not per child of a weighted service, so the
// canary's child cannot carry its own site key. Instead its one server is Traefik's own HTTP
// entrypoint under a path prefix (`preservePath`): the preview route of the release
// (activities/static/preview-site.ts) has a second router for that prefix, of the highest
// priority, which strips it and sets the release's site key — so the static server answers from
// the release's directory while the stable child reads `current`. The prefix
// (canaryHopPrefix, src/secrets/static-site-token.ts) holds a digest of
// the installation's site token and the environment, so no client can guess it; the digest
// travels through the workflow's history (the canary's server URL), the token never does — and
// what the hop serves is the release `next.<host>` serves anyway.

/** The canary child's server: Traefik's entrypoint (as Traefik reaches itself) with the hop's prefix. */
export function canaryHopServer(entryUrl: string, prefix: string): string {
  return `${entryUrl.replace(/\/$/, '')}${prefix}`;
}
