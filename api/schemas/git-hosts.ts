import { z } from '@hono/zod-openapi';
import { GIT_HOST_KINDS } from '../../src/git-hosts/provider.js';
import { Name } from './common.js';

/** The forge's web address: http(s), no credentials, query or fragment. */
export const ForgeUrl = z
  .string()
  .max(2048)
  .superRefine((v, ctx) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a URL' });
      return;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'http:// or https:// only' });
    if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'must not carry credentials (give accessToken)' });
    if (u.search || u.hash) ctx.addIssue({ code: 'custom', message: 'no query or fragment' });
  })
  .openapi({ example: 'https://git.example.com' });

const Secret = (what: string) =>
  z
    .string()
    .min(16)
    .max(512)
    .refine((v) => !/[\s\x00-\x1f\x7f]/.test(v), 'no whitespace or control characters')
    .openapi({ description: what });

export const GitHostInput = z
  .object({
    name: Name,
    kind: z.enum(GIT_HOST_KINDS),
    baseUrl: ForgeUrl,
    accessToken: Secret('An access token with repository read and commit-status write; Bitbucket: an access token, or <username>:<app password> (sealed; never returned)'),
    webhookSecret: Secret("The webhooks' signing secret (sealed; never returned). Omitted: Berth makes one and returns it once.").optional(),
  })
  .strict()
  .openapi('GitHostInput');

export const GitHost = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(GIT_HOST_KINDS),
    baseUrl: z.string(),
    /** Where the forge's webhooks go (content type application/json, the secret above). */
    webhookPath: z.string(),
    createdAt: z.string(),
  })
  .openapi('GitHost');

export const GitHostCreated = GitHost.extend({
  webhookSecret: z.string().nullable().openapi({ description: 'The secret Berth made (shown once); null when one was given' }),
}).openapi('GitHostCreated');

export const HostRepository = z
  .object({
    fullName: z.string().openapi({ description: 'owner/name as apps name it in git.repository (GitLab: the project path; Bitbucket: workspace/slug)' }),
    private: z.boolean(),
    defaultBranch: z.string().nullable(),
    htmlUrl: z.string().nullable(),
  })
  .openapi('HostRepository');
