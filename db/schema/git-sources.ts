import { bigint, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { ForkPolicy } from '../../src/domain/fork-policy.js';
import { apps } from './apps.js';
import { gitHosts } from './git-hosts.js';
import { hosts } from './hosts.js';

/** Where an app of kind git is built from, and how; for a stack, where its compose file lives. */
export const gitSources = pgTable('git_sources', {
  appId: text('app_id')
    .primaryKey()
    .references(() => apps.id, { onDelete: 'cascade' }),
  /** owner/name on GitHub (or on gitHostId's forge): webhooks for it reach this app, clones use an installation token (or the host's access token). */
  repository: text('repository'),
  /** A Gitea, Forgejo, GitLab or Bitbucket connection the repository lives on; null: GitHub. */
  gitHostId: text('git_host_id').references(() => gitHosts.id, { onDelete: 'restrict' }),
  /** Any git URL (https://, ssh://, file://) to clone from instead of GitHub's. */
  url: text('url'),
  /** Installation that reaches the repository (learned from deliveries and the sync). */
  installationId: bigint('installation_id', { mode: 'number' }),
  dockerfile: text('dockerfile').notNull().default('Dockerfile'),
  context: text('context').notNull().default('.'),
  buildArgs: jsonb('build_args').$type<Record<string, string>>().notNull().default({}),
  /**
   * Apps of kind git: the host whose worker builds (and pushes to BERTH_BUILD_REGISTRY); null:
   * the host the environment is placed on. A host removed leaves builds where they run.
   */
  buildHostId: text('build_host_id').references(() => hosts.id, { onDelete: 'set null' }),
  /** Apps of kind stack: the compose file's path in the repository (null for apps of kind git). */
  composeFile: text('compose_file'),
  /** Previews are torn down after this long without a pull-request event; null: the configured default. */
  previewIdleSeconds: bigint('preview_idle_seconds', { mode: 'number' }),
  /** Pull requests from forks: deny, approve (each head commit, by a deployer), allow-without-secrets. */
  forkPolicy: text('fork_policy').$type<ForkPolicy>().notNull().default('approve'),
  /** A label that approves a fork pull request's head commit when added on GitHub; null: API only. */
  forkApprovalLabel: text('fork_approval_label'),
});
