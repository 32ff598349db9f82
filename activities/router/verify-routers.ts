// "Done" means Traefik routes every host name of the environment to the new servers, as Traefik
// itself reports it: every enabled router whose rule names the host (whichever provider or file
// it came from) leads to a service whose servers are exactly the new ones. A router of another
// file that also claims the host (a hand-edited or stale file, say) can win requests by its
// priority; the deployment is not done while one does, and it switches back.
import { ruleHosts } from '../../src/domain/route-tls.js';
import { sameServers } from './traefik-api.js';

interface RouterInfo {
  name: string;
  rule?: string;
  service?: string;
  status?: string;
  provider?: string;
}

interface ServiceInfo {
  name: string;
  loadBalancer?: { servers?: { url: string }[] };
}

const PAGE_SIZE = 1000;

async function readAll<T>(apiUrl: string, path: string, signal: AbortSignal): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${apiUrl}${path}?per_page=${PAGE_SIZE}&page=${page}`, { signal });
    if (!res.ok) throw new Error(`Traefik API ${path} answered ${res.status}`);
    const list = (await res.json()) as T[];
    all.push(...list);
    if (list.length < PAGE_SIZE) return all;
  }
}

/** A router's service as the services list names it (service@provider). */
function qualified(router: RouterInfo): string {
  const service = router.service ?? '';
  return service.includes('@') ? service : `${service}@${router.provider ?? 'file'}`;
}

/** Host names whose routers do not all lead to `servers`, each with why; empty when all do. */
export async function misroutedHosts(apiUrl: string, hosts: string[], servers: string[], signal: AbortSignal): Promise<string[]> {
  const [routers, services] = await Promise.all([
    readAll<RouterInfo>(apiUrl, '/api/http/routers', signal),
    readAll<ServiceInfo>(apiUrl, '/api/http/services', signal),
  ]);
  const serversOf = new Map(services.map((s) => [s.name, (s.loadBalancer?.servers ?? []).map((x) => x.url)]));
  const problems: string[] = [];
  for (const host of hosts) {
    const claiming = routers.filter((r) => r.status === 'enabled' && r.rule && ruleHosts(r.rule).includes(host));
    if (claiming.length === 0) {
      problems.push(`${host}: no router`);
      continue;
    }
    for (const router of claiming) {
      const target = serversOf.get(qualified(router)) ?? null;
      if (!sameServers(target, servers)) problems.push(`${host}: router ${router.name} leads to ${target ? target.join(' ') || 'no server' : 'no load-balanced service'}`);
    }
  }
  return problems;
}
