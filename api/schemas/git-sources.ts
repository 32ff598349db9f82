import { z } from '@hono/zod-openapi';
import { FORK_POLICIES } from '../../src/domain/fork-policy.js';
import { gitUrlProblem } from '../../src/domain/git-input.js';
import { HostId } from './hosts.js';

/** owner/name on GitHub. */
export const RepositoryName = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, 'owner/name of a GitHub repository')
  .refine((v) => !v.endsWith('.git'), 'without the .git suffix')
  .openapi({ example: 'acme/web' });

/** The id of a git host connection (POST /api/v1/git-hosts). */
export const GitHostId = z.string().regex(/^ghc_[0-9a-z]{10,32}$/, 'a git host connection id').openapi({ example: 'ghc_01hzyx3k2m9q' });

export { gitUrlProblem };

export const GitUrl = z
  .string()
  .max(2048)
  .superRefine((v, ctx) => {
    const why = gitUrlProblem(v);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  })
  .openapi({ example: 'https://git.example.com/team/web.git' });

/** A path inside the repository: relative, no .. segments. */
export const RepoPath = z
  .string()
  .min(1)
  .max(512)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !/[\x00-\x1f]/.test(p), 'a path inside the repository (relative, no ..)');

const BuildArgName = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const BuildArgs = z
  .record(z.string(), z.string().max(4096))
  .superRefine((args, ctx) => {
    for (const key of Object.keys(args)) {
      if (!BuildArgName.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'not a build argument name' });
    }
    if (Object.keys(args).length > 100) ctx.addIssue({ code: 'custom', message: 'at most 100 build arguments' });
  })
  .openapi({ description: 'Build arguments (not secret: they are kept in image metadata)', example: { NODE_ENV: 'production' } });

// No zod defaults on the build settings: the table has them, and a stack must not be given
// settings it would ignore (its compose file's build: says how each service is built).
const fields = {
  repository: RepositoryName.optional().openapi({ description: 'GitHub repository: its webhooks deploy this app; clones use the app installation' }),
  url: GitUrl.optional().openapi({ description: 'Clone from this URL instead (any git host, file:// for local repositories)' }),
  gitHostId: GitHostId.optional().openapi({ description: 'A Gitea, Forgejo, GitLab or Bitbucket connection (POST /api/v1/git-hosts): repository is owner/name there; its webhooks deploy this app, clones and commit statuses use its access token' }),
  dockerfile: RepoPath.optional().openapi({ description: 'kind git: the Dockerfile (default Dockerfile)' }),
  context: RepoPath.optional().openapi({ description: 'kind git: the build context (default .)' }),
  buildArgs: BuildArgs.optional(),
  previewIdleSeconds: z.number().int().min(1).max(365 * 24 * 3600).optional().openapi({ description: 'kind git: previews go after this long without a pull-request event' }),
  composeFile: RepoPath.optional().openapi({ description: 'kind stack: the compose file in the repository (default compose.yml)' }),
  forkPolicy: z.enum(FORK_POLICIES).optional().openapi({
    description: 'kind git: pull requests from forks — deny, approve (default: a deployer approves each head commit) or allow-without-secrets. A fork never gets build secrets or secret variables.',
  }),
  forkApprovalLabel: z
    .string()
    .min(1)
    .max(50)
    .refine((v) => !/[\x00-\x1f]/.test(v), 'no control characters')
    .optional()
    .openapi({ description: "kind git: adding this label on GitHub approves a fork's head commit (whoever may label approves)" }),
  buildHostId: HostId.optional().openapi({
    description: 'kind git: a registered host whose worker builds the image and pushes it to BERTH_BUILD_REGISTRY; the placed host pulls it by digest (default: the host the environment is placed on)',
  }),
};

/** Git settings only apps of kind git have: a stack's services say in their build: how they are built. */
export const GIT_APP_ONLY = ['dockerfile', 'context', 'buildArgs', 'previewIdleSeconds', 'forkPolicy', 'forkApprovalLabel', 'buildHostId'] as const;

export const GitSourceInput = z
  .object(fields)
  .strict()
  .refine((g) => g.repository || g.url, 'give repository (GitHub) or url (any git host), or both')
  .openapi('GitSource');

export const GitSourcePatch = z
  .object({
    repository: RepositoryName.nullable().optional(),
    url: GitUrl.nullable().optional(),
    gitHostId: GitHostId.nullable().optional(),
    dockerfile: RepoPath.optional(),
    context: RepoPath.optional(),
    buildArgs: BuildArgs.optional(),
    previewIdleSeconds: fields.previewIdleSeconds.unwrap().nullable().optional(),
    composeFile: RepoPath.optional(),
    forkPolicy: fields.forkPolicy,
    forkApprovalLabel: fields.forkApprovalLabel.unwrap().nullable().optional(),
    buildHostId: fields.buildHostId.unwrap().nullable().optional(),
  })
  .strict()
  .openapi('GitSourcePatch');

export const SecretName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)');
export const SecretValue = z
  .object({ value: z.string().min(1).max(65_536) })
  .strict()
  .openapi('BuildSecretInput');
