// Addresses the configuration derives: this machine's own, and a listener's from host:port.
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
