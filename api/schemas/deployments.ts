import { z } from '@hono/zod-openapi';
import { CanaryInput } from './canary.js';
import { SecretKeys, secretsAmongVariables, VariableValues } from './environments.js';
import { PHASES } from '../../src/domain/phases.js';
import { ImageReference } from './apps.js';
import { Id } from './common.js';

export const DeployInput = z
  .object({
    image: ImageReference.optional().openapi({ description: "Apps of kind image: a tag or digest; defaults to the app's image" }),
    ref: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9._\/-]+$/, 'a branch or tag name')
      .refine((r) => !r.startsWith('-') && !r.includes('..'), 'a branch or tag name')
      // A pull request's head may be a fork's code: it deploys as a preview, without secrets.
      .refine((r) => !/^(refs\/)?(pull|merge-requests)\//.test(r), 'a pull request deploys as its preview (fork pull requests wait for approval), not into this environment')
      .optional()
      .openapi({ description: "Apps of kind git: branch or tag to build (default: the remote's HEAD)" }),
    sha: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'a full 40-character commit id')
      .optional()
      .openapi({ description: 'Apps of kind git: the exact commit to build' }),
    variables: VariableValues.optional().openapi({ description: 'This deploy’s own variables, over the project’s and the environment’s (docs/variables.md)' }),
    secret: SecretKeys,
    strategy: z.enum(['all-at-once', 'canary', 'blue-green']).optional().openapi({ description: 'Image, git and stack apps (blue-green: static sites too): how this deploy moves traffic (default: the environment’s setting); blue-green answers on next.<host> before one switch (a stack: each exposed service on next.<its host>)' }),
    canary: CanaryInput.optional().openapi({ description: 'This deploy’s canary settings over the environment’s (implies strategy canary)' }),
  })
  .strict()
  .refine((v) => !((v.strategy === 'all-at-once' || v.strategy === 'blue-green') && v.canary), { message: 'canary settings need strategy canary', path: ['canary'] })
  .refine((v) => Object.keys(v.variables ?? {}).length <= 500, 'at most 500 variables')
  .superRefine((v, ctx) => secretsAmongVariables({ secret: v.secret, variables: v.variables ?? {} }, ctx))
  .openapi('DeployInput');

export const RollbackInput = z
  .object({ releaseId: Id.optional().openapi({ description: 'Defaults to the release live before the current one' }) })
  .strict()
  .openapi('RollbackInput');

export const Accepted = z
  .object({
    deploymentId: z.string(),
    workflowId: z.string(),
    status: z.string(),
    url: z.string().openapi({ description: 'This deployment in the API' }),
    temporalUrl: z.string().openapi({ description: 'Its workflow in the Temporal Web UI' }),
  })
  .openapi('DeploymentAccepted');

export const Phase = z
  .object({
    phase: z.enum(PHASES),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    outcome: z.string(),
    message: z.string().nullable(),
  })
  .openapi('Phase');

export const Deployment = z
  .object({
    id: z.string(),
    appId: z.string(),
    environmentId: z.string(),
    kind: z.string(),
    trigger: z.string(),
    request: z.record(z.string(), z.unknown()),
    releaseId: z.string().nullable(),
    status: z.string(),
    message: z.string().nullable(),
    errorType: z.string().nullable(),
    supersededBy: z.string().nullable(),
    workflowId: z.string(),
    temporalUrl: z.string(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    phases: z.array(Phase),
    services: z
      .array(z.object({ service: z.string(), phases: z.array(Phase) }).openapi('ServicePhases'))
      .openapi({ description: 'Stack deployments: each service with its own phases, in the order they started' }),
  })
  .openapi('Deployment');

export const DeploymentFilter = z.object({
  app: z.string().optional(),
  environment: z.string().optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'superseded', 'rolled-back']).optional(),
});

export const Release = z
  .object({
    id: z.string(),
    number: z.number(),
    imageRef: z.string(),
    imagePinned: z.string(),
    live: z.boolean(),
    createdByDeploymentId: z.string(),
    createdAt: z.string(),
  })
  .openapi('Release');

export const LogLine = z
  .object({ id: z.number(), at: z.string(), level: z.string(), phase: z.string().nullable(), message: z.string() })
  .openapi('LogLine');

const ReleaseBrief = z.object({ id: z.string(), number: z.number(), imageRef: z.string(), imagePinned: z.string() });

/** One deployment with what a person reading it needs besides ids: names, its release, what is live now, its commit. */
export const DeploymentDetail = Deployment.extend({
  app: z.string(),
  environment: z.string(),
  release: ReleaseBrief.nullable().openapi({ description: 'The release this deployment made (or rolled back to)' }),
  liveNow: ReleaseBrief.nullable().openapi({ description: 'What the environment serves now, whichever deployment made it live' }),
  commit: z
    .object({ repository: z.string(), sha: z.string(), url: z.string() })
    .nullable()
    .openapi({ description: 'The commit built, for deployments reported to GitHub' }),
}).openapi('DeploymentDetail');
