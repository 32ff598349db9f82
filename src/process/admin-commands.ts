// `berth admin …`: accounts and tokens straight in the database, for scripts and for the first
// administrator of an installation nobody can sign in to yet. Passwords are read from stdin
// (never an argument, which other users of the machine could see in the process list); on a
// terminal the prompt does not echo.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { getUserByEmail, insertUser } from '../../db/queries/users.js';
import { apiTokens, projects } from '../../db/schema/index.js';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/password-hash.js';
import { hashSecretToken, newSecretToken, tokenDisplayPrefix } from '../auth/secret-tokens.js';
import { TOKEN_SCOPES, type TokenScope } from '../domain/access.js';
import { newId } from '../ids.js';
import { DNS_CREDENTIALS_USAGE } from './dns-credentials-command.js';

export const ADMIN_USAGE = `usage:
  berth admin create-user --email EMAIL [--name NAME] [--admin]      password from stdin
  berth admin create-token --email EMAIL --name NAME [--scope read|deploy|admin] [--project NAME] [--expires-days N]
${DNS_CREDENTIALS_USAGE}
examples:
  printf '%s\\n' "$PASSWORD" | berth admin create-user --email ada@example.com --admin
  berth admin create-token --email ada@example.com --name ci --scope deploy --project shop`;

export class UsageError extends Error {}

async function readPassword(): Promise<string> {
  const terminal = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal });
  if (terminal) {
    process.stderr.write('password: ');
    // Typed characters are not echoed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  }
  const line = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  if (terminal) process.stderr.write('\n');
  return line;
}

export async function runAdminCommand(db: Db, argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean', default: false },
      scope: { type: 'string', default: 'admin' },
      project: { type: 'string' },
      'expires-days': { type: 'string' },
    },
    strict: true,
  });
  const email = values.email?.toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new UsageError('--email EMAIL is required');

  if (command === 'create-user') {
    const password = await readPassword();
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      throw new UsageError(`the password (on stdin) needs ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
    }
    const user = await insertUser(db, { id: newId('usr'), email, name: values.name ?? '', isAdmin: values.admin, passwordHash: await hashPassword(password) });
    if (!user) throw new UsageError(`an account for ${email} already exists`);
    return JSON.stringify({ id: user.id, email: user.email, isAdmin: user.isAdmin });
  }

  if (command === 'create-token') {
    const user = await getUserByEmail(db, email);
    if (!user) throw new UsageError(`no account for ${email}`);
    if (!values.name) throw new UsageError('--name NAME is required');
    const scope = values.scope as TokenScope;
    if (!TOKEN_SCOPES.includes(scope)) throw new UsageError(`--scope is one of ${TOKEN_SCOPES.join(', ')}`);
    let projectId: string | null = null;
    if (values.project) {
      const [p] = await db.select({ id: projects.id }).from(projects).where(eq(projects.name, values.project));
      if (!p) throw new UsageError(`no project ${values.project}`);
      projectId = p.id;
    }
    const days = values['expires-days'] === undefined ? null : Number(values['expires-days']);
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new UsageError('--expires-days is a whole number of days, 1 to 3650');
    const token = newSecretToken('api');
    await db.insert(apiTokens).values({
      id: newId('tok'),
      userId: user.id,
      name: values.name,
      prefix: tokenDisplayPrefix(token),
      tokenHash: hashSecretToken(token),
      scopes: TOKEN_SCOPES.slice(0, TOKEN_SCOPES.indexOf(scope) + 1),
      projectId,
      expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null,
    });
    return token;
  }
  throw new UsageError(`unknown admin command ${command ?? ''}`);
}
