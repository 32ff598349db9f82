// Before a domain is added: does it resolve to this server? A warning, not a refusal — DNS may
// be about to change, or a proxy may stand in front — which the user overrides with `force`.
import { Resolver } from 'node:dns/promises';
import { isWildcard } from '../src/domain/https.js';

export interface DnsCheckResult {
  domain: string;
  addresses: string[];
  serverAddresses: string[];
  pointsHere: boolean;
  warning: string | null;
}

const LOOKUP_TIMEOUT_MS = 2000;

export async function checkDomainDns(domain: string, options: { dnsServers: string[]; serverAddresses: string[] }): Promise<DnsCheckResult> {
  const resolver = new Resolver({ timeout: LOOKUP_TIMEOUT_MS, tries: 1 });
  if (options.dnsServers.length) resolver.setServers(options.dnsServers);
  // A wildcard is checked through a name it covers.
  const name = isWildcard(domain) ? `berth-dns-check${domain.slice(1)}` : domain;
  const settled = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  const addresses = settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !['ENODATA', 'ENOTFOUND'].includes((r.reason as NodeJS.ErrnoException).code ?? ''));
  const pointsHere = addresses.some((a) => options.serverAddresses.includes(a));
  let warning: string | null = null;
  if (!pointsHere) {
    warning =
      addresses.length === 0
        ? `${name} does not resolve${failure ? ` (${(failure.reason as NodeJS.ErrnoException).code ?? 'lookup failed'})` : ''}: point it at ${options.serverAddresses.join(', ') || 'this server'} before a certificate can be issued`
        : `${name} resolves to ${addresses.join(', ')}, not to this server (${options.serverAddresses.join(', ') || 'no address known'})`;
  }
  return { domain, addresses, serverAddresses: options.serverAddresses, pointsHere, warning };
}
