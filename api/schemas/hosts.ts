import { z } from '@hono/zod-openapi';
import { HOST_ID } from '../../src/domain/hosts.js';

export const HostId = z.string().regex(HOST_ID, 'expected a short lowercase host id (a-z, 0-9, -)');
export const HostParam = z.object({ host: HostId });

const Address = z
  .string()
  .regex(/^(\d{1,3}(\.\d{1,3}){3}|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)$/, 'expected an IPv4 address or a host name')
  .openapi({ description: 'Where Traefik and the health probes reach the containers this host publishes: a private address' });
export const Labels = z
  .record(z.string().regex(/^[a-z0-9][a-z0-9._/-]{0,62}$/, 'expected a label name (a-z, 0-9, . _ / -)'), z.string().max(200))
  .refine((l) => Object.keys(l).length <= 32, 'at most 32 labels')
  .openapi({ description: 'Placement labels, such as region or disk' });
const Capacity = z
  .object({
    containers: z.number().int().min(1).max(10_000).optional(),
    memoryMb: z.number().int().min(64).max(16_777_216).optional(),
    cpus: z.number().min(0.1).max(1024).optional(),
  })
  .strict()
  .openapi({ description: 'What the host may take; what is not given declares no limit' });

export const HostInput = z.object({ id: HostId, address: Address, labels: Labels.default({}), capacity: Capacity.default({}) }).strict().openapi('HostInput');
export const HostPatch = z
  .object({
    address: Address.optional(),
    labels: Labels.optional(),
    capacity: Capacity.optional(),
    draining: z.boolean().optional().openapi({ description: 'A draining host takes no new placement; turning it on moves every environment on it to `drainTo`, one after another, by deploys' }),
    drainTo: HostId.nullable().optional().openapi({ description: 'With draining true: the alive host the environments move to (absent or null: the installation’s own host)' }),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change')
  .refine((p) => p.drainTo === undefined || p.draining === true, { message: 'drainTo goes with draining: true', path: ['drainTo'] })
  .openapi('HostPatch');

const HostDrain = z
  .object({
    target: z.string().nullable().openapi({ description: 'Where the environments go (null: the installation’s own host)' }),
    state: z.enum(['moving', 'drained', 'incomplete']),
    total: z.number().int(),
    moved: z.array(z.string()).openapi({ description: 'app/env moved so far' }),
    failed: z.array(z.object({ environment: z.string(), message: z.string() })).openapi({ description: 'Moves that did not succeed: those environments stay on the host, serving' }),
    current: z.object({ environment: z.string(), deploymentId: z.string().nullable() }).nullable(),
    startedAt: z.number().openapi({ description: 'Epoch milliseconds' }),
    finishedAt: z.number().nullable(),
  })
  .openapi('HostDrain');

export const HostSwarm = z
  .object({
    nodeId: z.string(),
    state: z.string().openapi({ description: 'As the manager sees the node: ready, down, unknown, disconnected' }),
    availability: z.string().openapi({ description: 'active, pause or drain' }),
    role: z.enum(['manager', 'worker']),
    checkedAt: z.number().openapi({ description: 'Epoch milliseconds of the reading' }),
  })
  .openapi('HostSwarm');

export const Host = z
  .object({
    id: z.string(),
    taskQueue: z.string().openapi({ description: 'The task queue its worker polls (berth.host.<id>)' }),
    address: z.string(),
    labels: z.record(z.string(), z.string()),
    capacity: z.object({ containers: z.number().optional(), memoryMb: z.number().optional(), cpus: z.number().optional() }),
    draining: z.boolean(),
    alive: z.boolean().openapi({ description: 'Its worker recorded a heartbeat within three of its intervals' }),
    lastSeenAt: z.string().nullable(),
    seenBy: z.string().nullable().openapi({ description: 'The worker that last beat: host name and pid' }),
    heartbeatSeconds: z.number().nullable(),
    drain: HostDrain.nullable().openapi({ description: 'The last drain by deploys and its progress (null: never drained)' }),
    swarm: HostSwarm.nullable().openapi({ description: 'Its engine’s node in the installation’s Swarm, as the manager last saw it (null: not in it); POST/DELETE /hosts/{id}/swarm join and leave' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Host');

export const Poller = z.object({ identity: z.string(), lastAccessTime: z.string().nullable() }).openapi('TaskQueuePoller');
