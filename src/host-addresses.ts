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
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return address;
  return (await lookup(address, { family: 4 })).address;
}
