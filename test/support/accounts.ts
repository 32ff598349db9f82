// Accounts and tokens for tests, written straight to a Berth's database (what `berth admin`
// does), so a test starts signed in. Users made without a password cannot sign in with one.
import type { Db } from '../../db/client.js';
import { apiTokens, projectMembers, users } from '../../db/schema/index.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { hashSecretToken, newSecretToken, tokenDisplayPrefix } from '../../src/auth/secret-tokens.js';
import { TOKEN_SCOPES, type ProjectRole, type TokenScope } from '../../src/domain/access.js';
import { newId } from '../../src/ids.js';

export interface TestUser {
  id: string;
  email: string;
}

/** No scrypt hash parses as this: the user has no password until given one. */
const NO_PASSWORD = 'none';

export async function makeUser(db: Db, options: { email?: string; isAdmin?: boolean; password?: string } = {}): Promise<TestUser> {
  const id = newId('usr');
  const email = options.email ?? `${id}@example.test`;
  const passwordHash = options.password ? await hashPassword(options.password) : NO_PASSWORD;
  await db.insert(users).values({ id, email, isAdmin: options.isAdmin ?? false, passwordHash });
  return { id, email };
}

export async function makeToken(db: Db, userId: string, options: { scope?: TokenScope; projectId?: string | null; expiresAt?: Date | null } = {}): Promise<string> {
  const token = newSecretToken('api');
  const scope = options.scope ?? 'admin';
  await db.insert(apiTokens).values({
    id: newId('tok'),
    userId,
    name: 'test',
    prefix: tokenDisplayPrefix(token),
    tokenHash: hashSecretToken(token),
    scopes: TOKEN_SCOPES.slice(0, TOKEN_SCOPES.indexOf(scope) + 1),
    projectId: options.projectId ?? null,
    expiresAt: options.expiresAt ?? null,
  });
  return token;
}

export async function addMember(db: Db, projectId: string, userId: string, role: ProjectRole): Promise<void> {
  await db.insert(projectMembers).values({ projectId, userId, role });
}

/** An instance administrator and an admin-scope token of theirs. */
export async function makeAdminToken(db: Db): Promise<{ user: TestUser; token: string }> {
  const user = await makeUser(db, { isAdmin: true, email: `admin-${newId('usr')}@example.test` });
  return { user, token: await makeToken(db, user.id) };
}
