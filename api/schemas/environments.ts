import { z } from '@hono/zod-openapi';
import { Canary, CanaryInput } from './canary.js';
import { HealthCheckInput, ResourcesInput } from './apps.js';
import { Name } from './common.js';
import { HostId } from './hosts.js';
import { Spread, SpreadInput } from './spread.js';
import { DomainName, HttpsPatch, HttpsSettings } from './https.js';
import { domainPatternProblem } from '../../src/domain/domain-pattern.js';
import { RELEASE_STRATEGIES } from '../../src/domain/release-strategy.js';

const WatchInput = z
  .object({
    seconds: z.number().int().min(0).max(3600).openapi({ description: 'How long the new release is watched after the switch; 0: no watch' }),
    maxErrorRatio: z.number().min(0).max(1).openapi({ description: 'Share of 5xx answers that rolls back (0–1)' }),
    maxP95Ms: z.number().int().min(1).max(600_000).openapi({ description: 'p95 latency (ms) that rolls back' }),
    failedProbes: z.number().int().min(1).max(100).openapi({ description: 'Failed health probes in a row that roll back' }),
  })
  .partial()
  .strict();

const SettingSource = z
  .object({ level: z.enum(['environment', 'app', 'default']), environment: z.string().nullable() })
  .openapi('SettingSource');

const Watch = z.object({ seconds: z.number(), maxErrorRatio: z.number(), maxP95Ms: z.number(), failedProbes: z.number() }).openapi('PostSwitchWatch');

const INHERITED = ' Not given: the parent environment’s (through its chain), else';

// Inherited settings (docs/variables.md#settings): what an environment does not set is its
// parent's, up the chain, then the app's or Berth's default; null in a PATCH goes back to that.
const inherited = {
  retention: z.number().int().min(1).max(50).openapi({ description: `Releases whose containers are kept for instant rollback.${INHERITED} 5` }),
  queuePolicy: z.enum(['latest-wins', 'fifo']).openapi({ description: `${INHERITED.trim()} latest-wins` }),
  cancelSuperseded: z.boolean().openapi({ description: `A newer deploy cancels a running one (before its traffic switch).${INHERITED} false` }),
  drainSeconds: z.number().int().min(0).max(600).openapi({ description: `${INHERITED.trim()} 2` }),
  watch: WatchInput.openapi({ description: `The post-switch watch (docs/progressive-delivery.md), merged field by field over the parent chain’s, else the installation’s defaults` }),
  standbySeconds: z.number().int().min(0).max(86_400).openapi({ description: `How long the previous release keeps running after a deploy, so that a rollback is a route switch only (0: stopped after the drain).${INHERITED} 0` }),
  replicas: z.number().int().min(1).max(20).openapi({ description: `Containers per release.${INHERITED} the app’s` }),
  resources: ResourcesInput.openapi({ description: `Limits per container.${INHERITED} the app’s` }),
  healthCheck: HealthCheckInput.openapi({ description: `The health gate (fields not given take Berth’s defaults).${INHERITED} the app’s` }),
  domainPattern: z
    .string()
    .max(253)
    .superRefine((v, ctx) => {
      const problem = domainPatternProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: `the domains pattern ${problem}` });
    })
    .openapi({
      example: '{env}.shop.example.com',
      description: `A host name with {env} (and optionally {app}) that this environment and those below it answer on, each under its own name; "": none here, whatever the parent has.${INHERITED} none`,
    }),
  strategy: z.enum(RELEASE_STRATEGIES).openapi({
    description: `How deploys move traffic unless a deploy names a strategy (docs/progressive-delivery.md#the-environments-strategy): canary or blue-green, for every kind of app (image, git, static, stack).${INHERITED} canary when the environment has canary settings, all-at-once otherwise`,
  }),
};

const settings = {
  domains: z.array(DomainName).max(20).default([]).openapi({ description: 'Extra host names, besides <app>.<env>.<apps domain> (*.<name>: a wildcard, with https dns-01 or custom); one environment’s own, never inherited' }),
  https: HttpsSettings.optional().openapi({ description: 'HTTPS for the domains (default: off)' }),
  retention: inherited.retention.optional(),
  queuePolicy: inherited.queuePolicy.optional(),
  cancelSuperseded: inherited.cancelSuperseded.optional(),
  drainSeconds: inherited.drainSeconds.optional(),
  watch: inherited.watch.optional(),
  standbySeconds: inherited.standbySeconds.optional(),
  replicas: inherited.replicas.optional(),
  resources: inherited.resources.optional(),
  healthCheck: inherited.healthCheck.optional(),
  domainPattern: inherited.domainPattern.optional(),
  strategy: inherited.strategy.optional(),
  canary: CanaryInput.nullable().optional().openapi({ description: 'Image deploys run as canaries (docs/progressive-delivery.md); what is not given comes from the defaults; null or absent: all at once; not inherited' }),
};

export const EnvironmentInput = z
  .object({
    name: Name,
    parent: Name.optional().openapi({ description: 'Environment of the same app to inherit variables and settings from' }),
    from: Name.optional().openapi({
      description: 'Environment of the same app to copy: its settings (but domains) and its own variables (secret ones stay sealed); settings given here win, and its parent is the default parent',
    }),
    hostId: HostId.nullable().optional().openapi({ description: 'The registered host its containers run on (GET /hosts); null or absent: the installation’s own host (BERTH_HOST_ID). A draining host takes no new placement' }),
    spread: SpreadInput.nullable().optional(),
    ...settings,
  })
  .strict()
  .openapi('EnvironmentInput');

export const EnvironmentPatch = z
  .object({
    domains: settings.domains.unwrap().optional(),
    https: HttpsPatch.optional().openapi({ description: 'Only the HTTPS settings given change' }),
    retention: inherited.retention.nullable().optional(),
    queuePolicy: inherited.queuePolicy.nullable().optional(),
    cancelSuperseded: inherited.cancelSuperseded.nullable().optional(),
    drainSeconds: inherited.drainSeconds.nullable().optional(),
    watch: WatchInput.nullable().optional().openapi({ description: 'Replaces the environment’s own watch settings; null: the parent chain’s, else the installation’s defaults' }),
    standbySeconds: inherited.standbySeconds.nullable().optional(),
    replicas: inherited.replicas.nullable().optional(),
    resources: inherited.resources.nullable().optional(),
    healthCheck: inherited.healthCheck.nullable().optional(),
    domainPattern: inherited.domainPattern.nullable().optional(),
    strategy: inherited.strategy.nullable().optional(),
    canary: settings.canary,
    hostId: HostId.nullable().optional().openapi({ description: 'Moves the environment to this registered host at its next deploy; null: the installation’s own host. A draining host takes no new placement' }),
    spread: SpreadInput.nullable().optional(),
  })
  .strict()
  .openapi('EnvironmentPatch');

export const Environment = z
  .object({
    id: z.string(),
    app: z.string(),
    name: z.string(),
    hosts: z.array(z.string()).openapi({ description: 'Every host name the environment answers on' }),
    url: z.string().openapi({ description: 'Where it answers through Traefik on this machine' }),
    domains: z.array(z.string()),
    https: HttpsSettings,
    retention: z.number(),
    queuePolicy: z.string(),
    cancelSuperseded: z.boolean(),
    drainSeconds: z.number(),
    watch: Watch.openapi({ description: 'The post-switch watch as deploys use it (the environment’s own settings over its parent chain’s and the installation’s defaults)' }),
    standbySeconds: z.number(),
    canary: Canary.nullable().openapi({ description: 'The canary image deploys run, as they use it; null: all at once' }),
    strategy: z.enum(RELEASE_STRATEGIES).openapi({ description: 'How a deploy that names no strategy moves traffic (its source in settingSources.strategy)' }),
    replicas: z.number(),
    resources: ResourcesInput,
    healthCheck: HealthCheckInput,
    domainPattern: z.string().nullable().openapi({ description: 'The domains pattern as it applies here (null: none); its host name for this environment is in hosts' }),
    settingSources: z.record(z.string(), SettingSource).openapi({ description: 'Where each inherited setting above comes from: this environment, a parent (by name), the app, or Berth’s default' }),
    parent: z.string().nullable(),
    hostId: z.string().nullable().openapi({ description: 'The registered host it is placed on; null: the installation’s own host' }),
    placement: z.string().openapi({ description: 'The host its deploys run on: hostId, else the installation’s own (BERTH_HOST_ID)' }),
    spread: Spread.nullable(),
    liveReleaseId: z.string().nullable(),
    liveDeploymentId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Environment');

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const SecretKeys = z
  .array(z.string().max(128))
  .max(500)
  .optional()
  .openapi({ description: 'Keys among `variables` whose values are secret: sealed at rest, never shown again, never given to a fork’s preview' });

export const VariableValues = z.record(z.string(), z.string().max(65_536).refine((v) => !v.includes('\0'), 'no NUL bytes')).superRefine((vars, ctx) => {
  for (const key of Object.keys(vars)) {
    if (!VARIABLE_NAME.test(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'not a variable name: letters, digits and _, not starting with a digit' });
    }
  }
});

export function secretsAmongVariables(v: { secret?: string[] | undefined; variables: Record<string, string> }, ctx: z.RefinementCtx) {
  for (const key of v.secret ?? []) {
    if (!(key in v.variables)) ctx.addIssue({ code: 'custom', path: ['secret'], message: `${key.slice(0, 128)} is not among variables` });
  }
}

export const VariablesInput = z
  .object({ secret: SecretKeys, variables: VariableValues })
  .strict()
  .refine((v) => Object.keys(v.variables).length <= 500, 'at most 500 variables')
  .superRefine(secretsAmongVariables)
  .openapi('VariablesInput');

/** A change to some variables, keeping the others (secret ones included, whose values nobody can send back). */
export const VariablesPatch = z
  .object({
    secret: SecretKeys,
    variables: VariableValues.default({}).openapi({ description: 'Variables to add or replace' }),
    unset: z.array(z.string().max(128)).max(500).default([]).openapi({ description: 'Variables to remove; each must exist' }),
  })
  .strict()
  .refine((v) => Object.keys(v.variables).length <= 500, 'at most 500 variables')
  .superRefine(secretsAmongVariables)
  .superRefine((v, ctx) => {
    for (const key of v.unset) {
      if (key in v.variables) ctx.addIssue({ code: 'custom', path: ['unset'], message: `${key.slice(0, 128)} is also set` });
    }
  })
  .openapi('VariablesPatch');

export const Variables = z
  .object({
    variables: z.record(z.string(), z.string()).openapi({ description: 'Values of the variables that are not secret' }),
    secret: z.array(z.string()).openapi({ description: 'Names of the secret variables (their values are never returned)' }),
  })
  .openapi('Variables');
