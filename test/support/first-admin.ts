// The first administrator of a `berth dev` a test started, made as a newcomer would: the setup
// token from the data directory, then an API token with the session (and its CSRF token).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export async function firstAdminToken(apiUrl: string, dataDir: string): Promise<string> {
  const setupToken = readFileSync(join(dataDir, 'setup-token'), 'utf8').trim();
  const setup = await fetch(`${apiUrl}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ setupToken, email: 'first@example.test', password: 'a long enough passphrase' }),
  });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status} ${await setup.text()}`);
  const { csrfToken } = (await setup.json()) as { csrfToken: string };
  const cookie = (setup.headers.getSetCookie().find((c) => c.startsWith('berth_session=')) ?? '').split(';')[0] as string;
  const made = await fetch(`${apiUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'test', scopes: ['admin'] }),
  });
  if (made.status !== 201) throw new Error(`token: ${made.status} ${await made.text()}`);
  return ((await made.json()) as { token: string }).token;
}
