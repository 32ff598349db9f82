import { z } from '@hono/zod-openapi';
import { DEFAULT_HEALTH_CHECK } from '../../src/domain/app-spec.js';
import { parseImageRef } from '../../src/domain/image-ref.js';
import { Name } from './common.js';
import { ComposeText } from './stacks.js';

export const ImageReference = z
  .string()
  .refine((s) => parseImageRef(s) !== null, 'not a valid image reference (e.g. registry:5000/team/app:1.2 or app@sha256:…)')
  .openapi({ example: '127.0.0.1:5000/team/web:1.4.2' });

const Argv = z.array(z.string().max(4096)).max(64);
const d = DEFAULT_HEALTH_CHECK;

export const HealthCheckInput = z
  .object({
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, 'an absolute URL path such as /healthz')
      .max(512)
      .default(d.path),
    expectedStatus: z.number().int().min(100).max(599).default(d.expectedStatus),
    intervalMs: z.number().int().min(50).max(300_000).default(d.intervalMs),
    timeoutMs: z.number().int().min(50).max(120_000).default(d.timeoutMs),
    successThreshold: z.number().int().min(1).max(20).default(d.successThreshold),
    failureThreshold: z.number().int().min(1).max(100).default(d.failureThreshold),
    startPeriodMs: z.number().int().min(0).max(3_600_000).default(d.startPeriodMs),
  })
  .strict()
  .openapi('HealthCheck');

export const ResourcesInput = z
  .object({
    memoryMb: z.number().int().min(6).max(1_048_576).optional(),
    cpus: z.number().min(0.01).max(256).optional(),
  })
  .strict()
  .openapi('Resources');

const appSettings = {
  image: ImageReference.optional().openapi({ description: 'Image deployed when a deployment names none' }),
  port: z.number().int().min(1).max(65535).default(8080).openapi({ description: 'Port the container listens on' }),
  command: Argv.nullable().default(null).openapi({ description: 'Overrides the image entrypoint' }),
  args: Argv.nullable().default(null).openapi({ description: 'Overrides the image command' }),
  healthCheck: HealthCheckInput.default(HealthCheckInput.parse({})),
  resources: ResourcesInput.default({}),
  replicas: z.number().int().min(1).max(20).default(1),
};

export const AppInput = z
  .object({
    project: Name.openapi({ description: 'Name of the project the app belongs to' }),
    name: Name,
    kind: z.enum(['image', 'stack'], { error: 'kind must be "image" or "stack"' }).default('image'),
    compose: ComposeText.optional().openapi({ description: 'kind stack: the compose file (YAML)' }),
    ...appSettings,
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.kind === 'stack' && input.compose === undefined) ctx.addIssue({ code: 'custom', path: ['compose'], message: 'required for apps of kind stack' });
    if (input.kind !== 'stack' && input.compose !== undefined) ctx.addIssue({ code: 'custom', path: ['compose'], message: 'only apps of kind stack have a compose file' });
  })
  .openapi('AppInput');

export const AppPatch = z
  .object({
    image: ImageReference.nullable().optional(),
    port: appSettings.port.unwrap().optional(),
    command: Argv.nullable().optional(),
    args: Argv.nullable().optional(),
    healthCheck: HealthCheckInput.optional(),
    resources: ResourcesInput.optional(),
    replicas: appSettings.replicas.unwrap().optional(),
  })
  .strict()
  .openapi('AppPatch');

export const App = z
  .object({
    id: z.string(),
    project: z.string(),
    name: z.string(),
    kind: z.string(),
    image: z.string().nullable(),
    port: z.number(),
    command: z.array(z.string()).nullable(),
    args: z.array(z.string()).nullable(),
    healthCheck: HealthCheckInput,
    resources: ResourcesInput,
    replicas: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('App');
