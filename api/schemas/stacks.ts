import { z } from '@hono/zod-openapi';
import { MAX_COMPOSE_BYTES } from '../../src/compose/compile-stack.js';

export const ComposeText = z
  .string()
  .min(1, 'a compose file (YAML)')
  .max(MAX_COMPOSE_BYTES, `at most ${MAX_COMPOSE_BYTES} characters`)
  .openapi({ example: 'services:\n  web:\n    image: registry:5000/web:1\n    x-berth: { port: 8080, path: /healthz }\n' });

export const ComposeInput = z.object({ compose: ComposeText }).strict().openapi('ComposeInput');

/** What Berth translated or ignored, at its path (a dotted path into the compose file). */
export const ComposeWarnings = z
  .array(z.object({ path: z.string(), message: z.string() }))
  .openapi({ description: 'What Berth translates or ignores of the file (ports routed through Traefik, container_name as an alias, keys Swarm does not apply…), each at its path' });

export const ComposeCheckInput = z
  .object({
    compose: ComposeText,
    variables: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), z.string().max(64 * 1024))
      .optional()
      .openapi({ description: 'Values for ${VAR} references; a required variable left out stands in with a placeholder' }),
  })
  .strict()
  .openapi('ComposeCheckInput');

export const OverrideInput = z
  .object({ compose: ComposeText.nullable().openapi({ description: 'Merged over the app’s compose file; null removes it' }) })
  .strict()
  .openapi('ComposeOverrideInput');

export const Compose = z
  .object({ compose: z.string().nullable(), updatedAt: z.string().nullable(), warnings: ComposeWarnings.optional() })
  .openapi('Compose');

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
    warnings: ComposeWarnings,
  })
  .openapi('StackDryRun');
