import { z } from '@hono/zod-openapi';
import { FORK_POLICIES } from '../../src/domain/fork-policy.js';
import { DEFAULT_HEALTH_CHECK } from '../../src/domain/app-spec.js';
import { DEFAULT_STATIC_SETTINGS, SITE_PAGE_PATH } from '../../src/domain/static-site.js';
import { parseImageRef } from '../../src/domain/image-ref.js';
import { Name } from './common.js';
import { GIT_APP_ONLY, GitSourceInput, GitSourcePatch } from './git-sources.js';
import { ComposeText } from './stacks.js';
import { LogDriverInput } from './log-driver.js';

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

export const StaticSiteInput = z
  .object({
    spa: z.boolean().default(DEFAULT_STATIC_SETTINGS.spa).openapi({ description: 'Paths that match no file answer /index.html (single-page apps)' }),
    notFoundPage: z
      .string()
      .regex(SITE_PAGE_PATH, 'a page path in the release such as /404.html (no dot segments, no dotfiles)')
      .nullable()
      .default(DEFAULT_STATIC_SETTINGS.notFoundPage)
      .openapi({ description: 'Sent with 404 answers when the release has it; null: a plain 404' }),
  })
  .strict()
  .openapi('StaticSite');

const appSettings = {
  image: ImageReference.optional().openapi({ description: 'Image deployed when a deployment names none' }),
  port: z.number().int().min(1).max(65535).default(8080).openapi({ description: 'Port the container listens on' }),
  command: Argv.nullable().default(null).openapi({ description: 'Overrides the image entrypoint' }),
  args: Argv.nullable().default(null).openapi({ description: 'Overrides the image command' }),
  healthCheck: HealthCheckInput.default(HealthCheckInput.parse({})),
  resources: ResourcesInput.default({}),
  replicas: z.number().int().min(1).max(20).default(1),
  logDriver: LogDriverInput.nullable().default(null).openapi({ description: "Where the containers' output goes; null: json-file, rotated at 10 MB × 3" }),
};

export const AppInput = z
  .object({
    project: Name.openapi({ description: 'Name of the project the app belongs to' }),
    name: Name,
    kind: z.enum(['image', 'git', 'static', 'stack'], { error: 'kind must be "image", "git", "static" or "stack"' }).default('image'),
    compose: ComposeText.optional().openapi({ description: 'kind stack: the compose file (YAML), unless git says where to read it' }),
    ...appSettings,
    git: GitSourceInput.optional().openapi({ description: 'kind git: where to build from; kind stack: the repository holding the compose file' }),
    static: StaticSiteInput.optional().openapi({ description: 'Kind static: how its environments are served' }),
  })
  .strict()
  .superRefine((app, ctx) => {
    if (app.kind === 'git' && !app.git) ctx.addIssue({ code: 'custom', path: ['git'], message: 'apps of kind git need git settings (repository or url)' });
    if (app.kind !== 'git' && app.kind !== 'stack' && app.git) ctx.addIssue({ code: 'custom', path: ['git'], message: 'only apps of kind git or stack have git settings' });
    if (app.kind !== 'stack' && app.git?.composeFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['git', 'composeFile'], message: 'only apps of kind stack read a compose file from the repository' });
    }
    if (app.kind === 'stack' && app.git) {
      for (const key of GIT_APP_ONLY) {
        if (app.git[key] !== undefined) ctx.addIssue({ code: 'custom', path: ['git', key], message: 'not for stacks: each service’s build: in the compose file says how it is built (stacks have no previews)' });
      }
    }
    if (app.kind === 'git' && app.image) ctx.addIssue({ code: 'custom', path: ['image'], message: 'apps of kind git build their image' });
    if (app.kind !== 'static' && app.static) ctx.addIssue({ code: 'custom', path: ['static'], message: 'only apps of kind static have static settings' });
    if (app.kind === 'stack' && app.compose === undefined && !app.git) {
      ctx.addIssue({ code: 'custom', path: ['compose'], message: 'required for apps of kind stack: the compose file, or git settings to read it from the repository' });
    }
    if (app.kind === 'stack' && app.compose !== undefined && app.git) {
      ctx.addIssue({ code: 'custom', path: ['compose'], message: 'not with git: a stack’s compose file is uploaded (compose) or read from its repository (git), not both' });
    }
    if ((app.kind === 'static' || app.kind === 'stack') && app.logDriver) {
      ctx.addIssue({ code: 'custom', path: ['logDriver'], message: `not for apps of kind ${app.kind}: ${app.kind === 'stack' ? 'each service’s logging: in the compose file says' : 'a static site has no containers'}` });
    }
    if (app.kind !== 'stack' && app.compose !== undefined) ctx.addIssue({ code: 'custom', path: ['compose'], message: 'only apps of kind stack have a compose file' });
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
    logDriver: LogDriverInput.nullable().optional(),
    git: GitSourcePatch.optional(),
    static: StaticSiteInput.optional(),
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
    logDriver: LogDriverInput.nullable(),
    git: z
      .object({
        repository: z.string().nullable(),
        url: z.string().nullable(),
        gitHostId: z.string().nullable(),
        dockerfile: z.string(),
        context: z.string(),
        buildArgs: z.record(z.string(), z.string()),
        previewIdleSeconds: z.number().nullable(),
        composeFile: z.string().nullable().openapi({ description: 'kind stack: the compose file in the repository' }),
        forkPolicy: z.enum(FORK_POLICIES),
        forkApprovalLabel: z.string().nullable(),
        buildHostId: z.string().nullable().openapi({ description: 'kind git: the host that builds (null: the host the environment is placed on)' }),
      })
      .nullable()
      .optional(),
    static: z.object({ spa: z.boolean(), notFoundPage: z.string().nullable() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('App');
