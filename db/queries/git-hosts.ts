// Git host connections, sealed and opened. Sealed values are bound to their row and field, so a
// value copied to another row or column does not open.
import { asc, eq } from 'drizzle-orm';
import type { GitHostKind } from '../../src/git-hosts/provider.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { Db } from '../client.js';
import { gitHosts } from '../schema/index.js';

export type GitHostRow = typeof gitHosts.$inferSelect;

export const gitHostContext = (id: string, field: string) => `git-host:${id}:${field}`;
const context = gitHostContext;

export interface GitHostSecrets {
  webhookSecret: string;
  accessToken: string;
}

export function sealGitHost(box: SecretBox, input: { id: string; name: string; kind: GitHostKind; baseUrl: string } & GitHostSecrets): typeof gitHosts.$inferInsert {
  return {
    id: input.id,
    name: input.name,
    kind: input.kind,
    baseUrl: input.baseUrl,
    webhookSecretSealed: box.seal(input.webhookSecret, context(input.id, 'webhook-secret')),
    accessTokenSealed: box.seal(input.accessToken, context(input.id, 'access-token')),
  };
}

export function openGitHost(box: SecretBox, row: GitHostRow): GitHostSecrets {
  return {
    webhookSecret: box.open(row.webhookSecretSealed, context(row.id, 'webhook-secret')),
    accessToken: box.open(row.accessTokenSealed, context(row.id, 'access-token')),
  };
}

export async function listGitHosts(db: Db): Promise<GitHostRow[]> {
  return db.select().from(gitHosts).orderBy(asc(gitHosts.name));
}

export async function getGitHost(db: Db, id: string): Promise<GitHostRow | undefined> {
  const [row] = await db.select().from(gitHosts).where(eq(gitHosts.id, id));
  return row;
}
