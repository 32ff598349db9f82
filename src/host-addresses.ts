// Addresses the configuration derives: this machine's own, and a listener's from host:port.
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';

/** This machine's own addresses: where a domain must point unless BERTH_SERVER_ADDRESSES says otherwise. */
export function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal)
    .map((a) => (a as { address: string }).address);
}

/** host:port (IPv6 in brackets) as a listener's address; 'off': no listener. */
export function listenAddress(value: string): { host: string; port: number } | null {
  return value === 'off' ? null : { host: value.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), port: Number(value.replace(/^.*:/, '')) };
}

/**
 * The IPv4 address containers publish their ports on: BERTH_HOST_ADDRESS as given, or the
 * address its host name resolves to (Docker binds to addresses, not names).
 */
export async function publishAddress(address: string): Promise<string> {
  const ip = /^\d{1,3}(\.\d{1,3}){3}$/.test(address) ? address : (await lookup(address, { family: 4 })).address;
  // Docker's published ports pass by the host's firewall (ufw): on 0.0.0.0 or a public address
  // every container would answer the internet, past Traefik.
  if (!privateIPv4(ip)) throw new Error(`BERTH_HOST_ADDRESS ${address} is ${ip}: containers publish only on a loopback or private address (10/8, 172.16/12, 192.168/16, 100.64/10, 127/8)`);
  return ip;
}

/** Loopback, RFC 1918 and shared (CGNAT, e.g. a tailnet's) IPv4 addresses; never 0.0.0.0. */
export function privateIPv4(ip: string): boolean {
  const [a = -1, b = -1] = ip.split('.').map(Number);
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}
