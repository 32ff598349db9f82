// A wrong setting stops the process with one line naming the variable and the reason.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

function runApi(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'api'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stderr: result.stderr.trim() };
}

test.each([
  [{ BERTH_API_PORT: 'eighty' }, 'BERTH_API_PORT'],
  [{ BERTH_API_PORT: '70000' }, 'BERTH_API_PORT'],
  [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
  [{ TEMPORAL_ADDRESS: 'no-port' }, 'TEMPORAL_ADDRESS'],
  [{ BERTH_LOG_LEVEL: 'loud' }, 'BERTH_LOG_LEVEL'],
  [{ BERTH_EMBEDDED_SERVICES: 'maybe' }, 'BERTH_EMBEDDED_SERVICES'],
])('%o exits 2 with one line naming %s', (env, name) => {
  const { code, stderr } = runApi(env);
  expect(code).toBe(2);
  expect(stderr.split('\n')).toHaveLength(1);
  expect(stderr).toContain(name);
  expect(stderr).toMatch(/^berth: invalid configuration: /);
});

test('an unknown command prints usage and exits 64', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'frobnicate'], { cwd: ROOT, encoding: 'utf8' });
  expect(result.status).toBe(64);
  expect(result.stderr).toContain('usage: berth');
});
