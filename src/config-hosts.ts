// Settings of this process's host among several, read with the rest of the environment by
// config.ts: where Traefik and the probes reach the containers this host publishes, and how
// often its worker says it is alive, and where the Swarm it makes listens.
import { z } from 'zod';
import type { HostConfig } from './config-shape.js';
import { privateIPv4 } from './host-addresses.js';

export const hostsEnv = {
  BERTH_HOST_ADDRESS: z
    .string()
    .regex(/^(\d{1,3}(\.\d{1,3}){3}|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)$/, 'expected an IPv4 address or a host name')
    .refine((v) => !/^[\d.]+$/.test(v) || privateIPv4(v), 'expected a loopback or private address (containers publish their ports there, past the firewall)')
    .default('127.0.0.1'),
  BERTH_HOST_HEARTBEAT_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(1).max(300).default(10),
  // The Swarm Berth makes when the engine is in none: on loopback (one node) unless the hosts
  // are to join it, then on a private address they reach (fixed once it is made).
  BERTH_SWARM_ADVERTISE_ADDR: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'expected an IPv4 address')
    .refine((v) => privateIPv4(v), 'expected a loopback or private address (the Swarm\'s control and data traffic stays off public interfaces)')
    .default('127.0.0.1'),
  BERTH_SWARM_DATA_PATH_PORT: z.coerce.number({ error: 'expected a UDP port' }).int().min(1024).max(49151).default(4789),
};

type Env = { [K in keyof typeof hostsEnv]: z.output<(typeof hostsEnv)[K]> };

export function hostsConfig(e: Env): { host: HostConfig } {
  return {
    host: {
      address: e.BERTH_HOST_ADDRESS,
      heartbeatSeconds: e.BERTH_HOST_HEARTBEAT_SECONDS,
      swarm: { advertiseAddress: e.BERTH_SWARM_ADVERTISE_ADDR, dataPathPort: e.BERTH_SWARM_DATA_PATH_PORT },
    },
  };
}
