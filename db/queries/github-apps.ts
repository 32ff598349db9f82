// The GitHub App's row, sealed and opened. Sealed values are bound to their row and field, so
// a value copied elsewhere does not open.
import { asc } from 'drizzle-orm';
import type { ManifestConversion } from '../../src/github/manifest.js';
import type { GitHubAppCredentials } from '../../src/github/client.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { Db } from '../client.js';
import { githubApps } from '../schema/index.js';

export type GitHubAppRow = typeof githubApps.$inferSelect;

export const githubAppContext = (id: string, field: string) => `github-app:${id}:${field}`;
const context = githubAppContext;

export function sealGitHubApp(box: SecretBox, id: string, c: ManifestConversion): typeof githubApps.$inferInsert {
  return {
    id,
    appId: c.id,
    slug: c.slug,
    name: c.name,
    htmlUrl: c.html_url,
    clientId: c.client_id,
    privateKeySealed: box.seal(c.pem, context(id, 'private-key')),
    webhookSecretSealed: box.seal(c.webhook_secret, context(id, 'webhook-secret')),
    clientSecretSealed: box.seal(c.client_secret, context(id, 'client-secret')),
  };
}

export interface OpenedGitHubApp {
  row: GitHubAppRow;
  credentials: GitHubAppCredentials;
  webhookSecret: string;
}

export function openGitHubApp(box: SecretBox, row: GitHubAppRow): OpenedGitHubApp {
  return {
    row,
    credentials: { appId: row.appId, privateKey: box.open(row.privateKeySealed, context(row.id, 'private-key')) },
    webhookSecret: box.open(row.webhookSecretSealed, context(row.id, 'webhook-secret')),
  };
}

/** Berth's GitHub Apps, oldest first (normally one). */
export async function listGitHubApps(db: Db): Promise<GitHubAppRow[]> {
  return db.select().from(githubApps).orderBy(asc(githubApps.createdAt));
}
