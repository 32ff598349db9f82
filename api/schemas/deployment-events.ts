// What each Server-Sent Event of GET /deployments/{id}/events carries in its `data` (JSON).
// Registered as named components so clients type the stream from the document too.
import { z } from '@hono/zod-openapi';
import { Phase } from './deployments.js';

export const PhaseEvent = Phase.extend({
  service: z.string().nullable().openapi({ description: 'Stacks: the service whose phase this is; null for the deployment’s own phases' }),
}).openapi('DeploymentPhaseEvent');

export const LogEvent = z
  .object({ id: z.number(), at: z.string(), level: z.string(), phase: z.string().nullable(), message: z.string() })
  .openapi('DeploymentLogEvent');

export const StatusEvent = z
  .object({ status: z.string(), message: z.string().nullable(), errorType: z.string().nullable() })
  .openapi('DeploymentStatusEvent');

export const EndEvent = z.object({ status: z.string() }).openapi('DeploymentEndEvent');

export type PhaseEvent = z.infer<typeof PhaseEvent>;
export type LogEvent = z.infer<typeof LogEvent>;
export type StatusEvent = z.infer<typeof StatusEvent>;
export type EndEvent = z.infer<typeof EndEvent>;

export const EVENT_DATA_SCHEMAS = { DeploymentPhaseEvent: PhaseEvent, DeploymentLogEvent: LogEvent, DeploymentStatusEvent: StatusEvent, DeploymentEndEvent: EndEvent };
