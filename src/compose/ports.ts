// A service's `ports:` as Compose reads them, and which one Berth routes. Berth publishes no host
// port: an HTTP port becomes the service's exposure through Traefik; the others stay reachable
// by the stack's other services at <service>:<port>.

export interface PortEntry {
  /** The container port (the first of a range). */
  target: number;
  /** The host port (or range) as written; never published by Berth. */
  published: string | null;
  hostIp: string | null;
  protocol: string;
  appProtocol: string | null;
}

/** Well-known ports that speak something other than HTTP: a database, a broker, TLS, mail… */
const NOT_HTTP = new Set([
  21, 22, 23, 25, 53, 110, 143, 389, 443, 465, 587, 636, 853, 993, 995, 1433, 1521, 1883, 2181, 2375, 2376, 3306, 3389, 4222, 5432, 5671, 5672, 6379, 6443, 7000,
  7001, 7687, 8883, 9042, 9092, 9300, 11211, 25565, 26257, 27017, 28015,
]);
const HTTP_PROTOCOLS = new Set(['http', 'http2', 'h2c']);

const SHORT = /^(?:(?:\[(?<ip6>[0-9a-fA-F:.]+)\]|(?<ip>\d+\.\d+\.\d+\.\d+)):)?(?:(?<published>\d+(?:-\d+)?)?:)?(?<target>\d+)(?:-\d+)?(?:\/(?<protocol>[a-z]+))?$/;

/** Each entry read; an entry that cannot be read is returned as its text. */
export function parsePorts(value: unknown): (PortEntry | string)[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry: unknown) => {
    if (typeof entry === 'number') return { target: entry, published: null, hostIp: null, protocol: 'tcp', appProtocol: null };
    if (typeof entry === 'string') {
      const m = SHORT.exec(entry.trim());
      if (!m?.groups) return entry;
      const g = m.groups;
      return { target: Number(g.target), published: g.published ?? null, hostIp: g.ip6 ?? g.ip ?? null, protocol: g.protocol ?? 'tcp', appProtocol: null };
    }
    const long = entry as Record<string, unknown>;
    const target = Number(String(long.target ?? '').split('-')[0]);
    if (!Number.isInteger(target) || target < 1) return JSON.stringify(entry);
    return {
      target,
      published: long.published === undefined ? null : String(long.published),
      hostIp: typeof long.host_ip === 'string' ? long.host_ip : null,
      protocol: typeof long.protocol === 'string' ? long.protocol : 'tcp',
      appProtocol: typeof long.app_protocol === 'string' ? long.app_protocol.toLowerCase() : null,
    };
  });
}

/** Could Traefik route HTTP to it: TCP, and HTTP by its app_protocol or by not being a known other port. */
export function looksHttp(p: PortEntry): boolean {
  if (p.protocol !== 'tcp') return false;
  if (p.appProtocol !== null) return HTTP_PROTOCOLS.has(p.appProtocol);
  return !NOT_HTTP.has(p.target);
}

/** The port Berth routes when the file does not say (x-berth.port): the first that looks like HTTP. */
export function routedPort(entries: PortEntry[]): PortEntry | null {
  return entries.find(looksHttp) ?? null;
}
