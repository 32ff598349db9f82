// The GitHub App as the worker uses it: opened from the database (newest app) on first use and
// kept while its row is unchanged; installation tokens are minted and cached by @octokit/app.
import type { App } from '@octokit/app';
import type { Octokit } from '@octokit/core';
import type { Db } from '../../db/client.js';
import { listGitHubApps, openGitHubApp } from '../../db/queries/github-apps.js';
import { createGitHubApp } from '../../src/github/client.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';

export interface GitHubClient {
  /** The app, or null when Berth has none yet. */
  app(): Promise<App | null>;
  /** An Octokit authenticated as the installation (token minted and refreshed as needed). */
  installation(installationId: number): Promise<Octokit>;
  /** A short-lived installation token, for git over HTTPS. */
  installationToken(installationId: number): Promise<string>;
}

export class NoGitHubAppError extends Error {
  constructor() {
    super('Berth has no GitHub App yet (create one with the manifest flow)');
    this.name = 'NoGitHubAppError';
  }
}

export function createGitHubClient(deps: { db: Db; box: SecretBox; apiUrl: string }): GitHubClient {
  let cached: { key: string; app: App } | null = null;

  async function app(): Promise<App | null> {
    const rows = await listGitHubApps(deps.db);
    const row = rows[rows.length - 1];
    if (!row) return null;
    const key = `${row.id}:${row.privateKeySealed}`;
    if (cached?.key !== key) cached = { key, app: createGitHubApp(openGitHubApp(deps.box, row).credentials, deps.apiUrl) };
    return cached.app;
  }

  async function required(): Promise<App> {
    const a = await app();
    if (!a) throw new NoGitHubAppError();
    return a;
  }

  return {
    app,
    async installation(installationId) {
      return (await required()).getInstallationOctokit(installationId) as Promise<Octokit>;
    },
    async installationToken(installationId) {
      const auth = (await (await required()).octokit.auth({ type: 'installation', installationId })) as { token: string };
      return auth.token;
    },
  };
}

/** HTTP status of an Octokit RequestError, if it is one. */
export function githubStatus(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'status' in err && typeof (err as { status: unknown }).status === 'number'
    ? (err as { status: number }).status
    : undefined;
}
