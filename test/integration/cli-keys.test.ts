// berth keys over HTTP, as a separate process: list, rotate (waiting, progress on stderr, exit 0
// when done), status and purge (the configured key is never removed); a token that is not an
// instance administrator's gets exit 5.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeToken, makeUser } from '../support/accounts.js';
import { runCli } from '../support/berth-cli.js';
import { startCliBerth, type CliBerth } from '../support/cli-berth.js';

let cli: CliBerth;

beforeAll(async () => {
  cli = await startCliBerth();
  expect((await cli.berth.api('POST', '/api/v1/projects', { name: 'p-cli-keys' })).status).toBe(201);
  expect((await cli.berth.api('PATCH', '/api/v1/projects/p-cli-keys/variables', { variables: { A: 'cli-secret-a', B: 'cli-secret-b' }, secret: ['A', 'B'] })).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await cli?.close();
});

test('berth keys list, rotate and status', async () => {
  const before = await runCli(['keys', 'list', '--output', 'json'], { env: cli.env });
  expect(before.code, before.stderr).toBe(0);
  const listed = JSON.parse(before.stdout) as { id: string; state: string; values: number }[];
  expect(listed).toEqual([expect.objectContaining({ id: cli.berth.ring.masterId, state: 'current', values: 2 })]);

  const rotated = await runCli(['keys', 'rotate'], { env: cli.env });
  expect(rotated.code, rotated.stderr).toBe(0);
  expect(rotated.stderr).toMatch(/rotation to key key_\w+ started/);
  expect(rotated.stderr).toMatch(/done · 2\/2 re-sealed · retired mk/);

  const status = await runCli(['keys', 'status', '--output', 'json'], { env: cli.env });
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ status: 'COMPLETED', progress: { phase: 'done', resealed: 2 } });

  const after = JSON.parse((await runCli(['keys', 'list', '--output', 'json'], { env: cli.env })).stdout) as { id: string; state: string; values: number }[];
  expect(after.map((k) => k.state).sort()).toEqual(['current', 'retired']);
  expect(after.find((k) => k.state === 'current')?.values).toBe(2);
  for (const out of [before.stdout, rotated.stdout, rotated.stderr, status.stdout]) expect(out).not.toContain('cli-secret');

  // The retired key is the configured one: purge has nothing to remove, and refuses it by name.
  const purged = await runCli(['keys', 'purge', '--output', 'json'], { env: cli.env });
  expect(purged.code, purged.stderr).toBe(0);
  expect(JSON.parse(purged.stdout)).toEqual({ removed: [] });
  const refused = await runCli(['keys', 'purge', cli.berth.ring.masterId], { env: cli.env });
  expect(refused.code).toBe(7);
  expect(refused.stderr).toContain('configured BERTH_SECRET_KEY');
  expect((await runCli(['keys', 'list', '--output', 'json'], { env: cli.env })).stdout).toContain(cli.berth.ring.masterId);
}, 150_000);

test('a token that is not an instance administrator’s is refused (exit 5)', async () => {
  const user = await makeUser(cli.berth.database.db);
  const token = await makeToken(cli.berth.database.db, user.id);
  const res = await runCli(['keys', 'rotate'], { env: { ...cli.env, BERTH_TOKEN: token } });
  expect(res.code).toBe(5);
});
