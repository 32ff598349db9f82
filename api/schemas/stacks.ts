import { z } from '@hono/zod-openapi';
import { MAX_COMPOSE_BYTES } from '../../src/compose/compile-stack.js';

export const ComposeText = z
  .string()
  .min(1, 'a compose file (YAML)')
  .max(MAX_COMPOSE_BYTES, `at most ${MAX_COMPOSE_BYTES} characters`)
  .openapi({ example: 'services:\n  web:\n    image: registry:5000/web:1\n    x-berth: { port: 8080, path: /healthz }\n' });

export const ComposeInput = z.object({ compose: ComposeText }).strict().openapi('ComposeInput');

export const OverrideInput = z
  .object({ compose: ComposeText.nullable().openapi({ description: 'Merged over the app’s compose file; null removes it' }) })
  .strict()
  .openapi('ComposeOverrideInput');

export const Compose = z.object({ compose: z.string().nullable(), updatedAt: z.string().nullable() }).openapi('Compose');

export const DryRun = z
  .object({
    services: z.record(z.string(), z.unknown()).openapi({ description: 'The normalised services (environment values masked)' }),
    networks: z.array(z.string()),
    volumes: z.array(z.string()),
    secrets: z.array(z.string()),
    configs: z.array(z.string()),
    rolloutOrder: z.array(z.array(z.string())).openapi({ description: 'Levels: each after the one before, its services in parallel' }),
    routes: z.array(z.object({ service: z.string(), hosts: z.array(z.string()), port: z.number(), healthPath: z.string() })),
    unsetVariables: z.array(z.string()).openapi({ description: 'Used without a value (Compose makes them "")' }),
  })
  .openapi('StackDryRun');
