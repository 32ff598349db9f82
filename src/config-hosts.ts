// Settings of this process's host among several, read with the rest of the environment by
// config.ts: where Traefik and the probes reach the containers this host publishes, and how
// often its worker says it is alive.
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
};

type Env = { [K in keyof typeof hostsEnv]: z.output<(typeof hostsEnv)[K]> };

export function hostsConfig(e: Env): { host: HostConfig } {
  return { host: { address: e.BERTH_HOST_ADDRESS, heartbeatSeconds: e.BERTH_HOST_HEARTBEAT_SECONDS } };
}
