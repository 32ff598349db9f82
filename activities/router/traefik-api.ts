// Reading Traefik's own API to learn what it is actually serving.
import { routeName } from '../../src/domain/route.js';

interface ServiceInfo {
  loadBalancer?: { servers?: { url: string }[] };
}

/** The servers Traefik currently routes the environment to; null when it has no such service. */
export async function liveServers(apiUrl: string, environmentId: string, signal?: AbortSignal): Promise<string[] | null> {
  const res = await fetch(`${apiUrl}/api/http/services/${routeName(environmentId)}@file`, { signal });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`Traefik API answered ${res.status}`);
  const info = (await res.json()) as ServiceInfo;
  return (info.loadBalancer?.servers ?? []).map((s) => s.url);
}

export function sameServers(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}
