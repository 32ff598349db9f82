import { z } from '@hono/zod-openapi';

export const ManifestInput = z
  .object({
    name: z
      .string()
      .min(1)
      .max(34)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, spaces, . _ -')
      .default('Berth')
      .openapi({ description: "The GitHub App's name (unique on GitHub)" }),
    organization: z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'a GitHub organisation login')
      .optional()
      .openapi({ description: 'Create the app under this organisation instead of your account' }),
  })
  .strict()
  .openapi('ManifestInput');

export const ManifestStart = z
  .object({
    manifest: z.record(z.string(), z.unknown()),
    state: z.string(),
    createUrl: z.string().openapi({ description: 'POST the manifest (form field "manifest") here, from the browser' }),
    formUrl: z.string().openapi({ description: 'A page of Berth that posts the form for you' }),
  })
  .openapi('ManifestStart');

export const GitHubAppInfo = z
  .object({ id: z.string(), appId: z.number(), slug: z.string(), name: z.string(), htmlUrl: z.string(), installUrl: z.string(), createdAt: z.string() })
  .openapi('GitHubApp');

export const Installation = z
  .object({
    id: z.number(),
    account: z.string(),
    accountType: z.string(),
    repositorySelection: z.string(),
    suspended: z.boolean(),
    removed: z.boolean(),
    syncedAt: z.string().nullable(),
  })
  .openapi('Installation');

export const Repository = z
  .object({
    id: z.number(),
    installationId: z.number(),
    fullName: z.string(),
    private: z.boolean(),
    defaultBranch: z.string(),
    htmlUrl: z.string(),
    removed: z.boolean(),
    syncedAt: z.string(),
  })
  .openapi('Repository');

export const DeliveryResultSchema = z.object({
  app: z.string(),
  environment: z.string().nullable(),
  ruleId: z.string().nullable(),
  rule: z.string().nullable(),
  deploymentId: z.string().nullable(),
  note: z.string(),
});

export const Delivery = z
  .object({
    id: z.string(),
    gitHostId: z.string().nullable().openapi({ description: 'The git host connection (GitLab, Gitea, Bitbucket) it came from; null: GitHub or a generic webhook' }),
    event: z.string(),
    action: z.string().nullable(),
    repository: z.string().nullable(),
    ref: z.string().nullable(),
    sha: z.string().nullable(),
    receivedAt: z.string(),
    dispatchedAt: z.string().nullable(),
    processedAt: z.string().nullable(),
    outcome: z.string(),
    message: z.string().nullable(),
    results: z.array(DeliveryResultSchema),
  })
  .openapi('Delivery');

export const DeliveryFilter = z.object({
  event: z.string().max(64).optional(),
  repository: z.string().max(200).optional(),
  outcome: z.enum(['pending', 'deployed', 'teardown', 'no-match', 'ignored', 'synced', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ error: 'an ISO timestamp (nextCursor of the previous page)' }).optional(),
});
