// A new installation has no account: the API process makes a one-time setup token, keeps only
// its hash, and the entrypoint prints it (and leaves it in <data>/setup-token, mode 0600, for a
// Berth run as a service). Whoever has it makes the first administrator (POST /api/v1/setup,
// or `berth admin create-user`). Once any user exists, no token is made and old ones are void.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../db/client.js';
import { insertSetupToken } from '../../db/queries/setup-tokens.js';
import { countUsers } from '../../db/queries/users.js';
import { hashSecretToken, newSecretToken } from '../auth/secret-tokens.js';

export const SETUP_TOKEN_VALID_MS = 24 * 3600_000;

export function setupTokenFile(dataDir: string): string {
  return join(dataDir, 'setup-token');
}

export async function issueSetupToken(db: Db, dataDir: string): Promise<string | null> {
  const file = setupTokenFile(dataDir);
  if ((await countUsers(db)) > 0) {
    rmSync(file, { force: true });
    return null;
  }
  const token = newSecretToken('setup');
  await insertSetupToken(db, hashSecretToken(token), SETUP_TOKEN_VALID_MS);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode above applies only when the file is made
  return token;
}

/** The lines an entrypoint prints while Berth has no administrator. */
export function setupTokenLines(token: string, apiUrl: string): string[] {
  return [
    'No account exists yet. Make the first administrator with this one-time setup token',
    `(valid for ${SETUP_TOKEN_VALID_MS / 3600_000} h, until then also in the data directory's setup-token file):`,
    `  ${token}`,
    `  curl -X POST ${apiUrl}/api/v1/setup -H 'content-type: application/json' \\`,
    `    -d '{"setupToken":"${token}","email":"you@example.com","password":"…at least 12 characters…"}'`,
    '  or: berth admin create-user --email you@example.com --admin   (reads the password from stdin)',
  ];
}
