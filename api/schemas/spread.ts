import { z } from '@hono/zod-openapi';
import { HostId, Labels } from './hosts.js';

/** Most hosts one environment spreads over. */
const MAX_SPREAD = 16;

export const SpreadInput = z
  .object({
    count: z.number().int().min(1).max(MAX_SPREAD).openapi({ description: 'How many hosts the replicas are spread over (each runs at least one)' }),
    hosts: z.array(HostId).min(1).max(MAX_SPREAD).optional().openapi({ description: 'The hosts to choose from (absent: every registered host and the installation’s own)' }),
    labels: Labels.optional().openapi({ description: 'Only hosts with all these labels' }),
  })
  .strict()
  .refine((s) => !s.hosts || new Set(s.hosts).size === s.hosts.length, { message: 'hosts named twice', path: ['hosts'] })
  .refine((s) => !s.hosts || s.hosts.length >= s.count, { message: 'fewer hosts named than count', path: ['count'] })
  .openapi('SpreadInput', {
    description:
      'Image and git apps (git: with a registry, BERTH_BUILD_REGISTRY; built once, pulled by digest on each host): the replicas spread over `count` hosts, chosen at each deploy among those alive and not draining (named ones, else all; with the labels), most free capacity first, then by id; null: all on the one placement (hostId). Set while nothing is live (docs/operations.md, "spread")',
  });

export const Spread = z
  .object({ count: z.number(), hosts: z.array(z.string()).optional(), labels: z.record(z.string(), z.string()).optional() })
  .openapi('Spread', { description: 'The environment’s spread setting; null: not spread' });
