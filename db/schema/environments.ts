import { boolean, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import type { CanaryOverrides } from '../../src/domain/canary.js';
import type { HealthCheck, ResourceLimits } from '../../src/domain/app-spec.js';
import type { HttpsSettings } from '../../src/domain/https.js';
import type { WatchOverrides } from '../../src/domain/post-switch-watch.js';
import type { SpreadSetting } from '../../src/domain/spread.js';
import { apps } from './apps.js';
import { hosts } from './hosts.js';

export const environments = pgTable(
  'environments',
  {
    id: text('id').primaryKey(),
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    domains: jsonb('domains').$type<string[]>().notNull().default([]),
    /** A host name pattern such as {env}.shop.example.com for it and its children (null: the parent's; "": none). */
    domainPattern: text('domain_pattern'),
    /** Kept by the API whenever a pattern or the parent chain changes: the host name the inherited pattern gives it. */
    patternDomain: text('pattern_domain'),
    /** HTTPS for its domains (null: off, the default; see src/domain/https.ts). */
    https: jsonb('https').$type<HttpsSettings>(),
    // Settings: null means "not set here", taken from the parent chain, then the app or Berth's
    // default (src/domain/environment-settings.ts).
    retention: integer('retention'),
    queuePolicy: text('queue_policy', { enum: ['latest-wins', 'fifo'] }),
    cancelSuperseded: boolean('cancel_superseded'),
    drainSeconds: integer('drain_seconds'),
    /** The post-switch watch's settings this environment sets itself (merged field by field over its parent's and the installation's defaults). */
    watch: jsonb('watch').$type<WatchOverrides>(),
    /** How long the previous release keeps running after a deploy, for a rollback that is a route switch only (0: off). */
    standbySeconds: integer('standby_seconds'),
    /** Image deploys run as canaries with these settings over the defaults (null: all at once; not inherited). */
    canary: jsonb('canary').$type<CanaryOverrides>(),
    /** How deploys move traffic unless a deploy names a strategy (null: the parent's, else the canary setting decides). */
    strategy: text('strategy', { enum: ['all-at-once', 'canary', 'blue-green'] }),
    /** Overrides of the app's runtime settings for this environment (null: the parent's, else the app's). */
    replicas: integer('replicas'),
    resources: jsonb('resources').$type<ResourceLimits>(),
    healthCheck: jsonb('health_check').$type<HealthCheck>(),
    /** Written by the deploy workflow: the previous release, kept running until standbyUntil (reconcile leaves it running until then). */
    standbyReleaseId: text('standby_release_id'),
    standbyUntil: timestamp('standby_until', { withTimezone: true, mode: 'date' }),
    /** Variables and settings not set here are inherited from the parent environment (docs/variables.md). */
    parentId: text('parent_id'),
    /**
     * The registered host its containers run on (null: the installation's own host,
     * BERTH_HOST_ID). Deploys, rollbacks and reconciles run on that host's task queue.
     */
    hostId: text('host_id').references(() => hosts.id),
    /**
     * Image apps: the replicas spread over `count` hosts (named, else chosen by labels and free
     * capacity at each deploy, src/domain/spread.ts); null: all on the one placement above.
     */
    spread: jsonb('spread').$type<SpreadSetting>(),
    /** Written only by the deploy workflow's activities: the release serving traffic. */
    liveReleaseId: text('live_release_id'),
    liveDeploymentId: text('live_deployment_id'),
    /**
     * Runs code from outside the repository (a fork's pull request): its builds get no build
     * secrets and its containers no variables marked secret, whatever triggers the deploy.
     */
    untrusted: boolean('untrusted').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [unique('environments_app_name').on(t.appId, t.name)],
);
