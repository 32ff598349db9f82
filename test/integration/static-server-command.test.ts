// `berth static-server` (production's static file server process) serves, answers its
// readiness probe, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { PING_HOST } from '../../src/services/static-server.js';
import { probeHttp } from '../../src/http-probe.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait.js';

const ROOT = new URL('../..', import.meta.url).pathname;

test('berth static-server runs nginx until told to stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-static-cmd-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'static-server'], {
    cwd: ROOT,
    // The installation's key: the server derives from it the token Traefik's routes send.
    env: { ...process.env, BERTH_SECRET_KEY: randomBytes(32).toString('base64'), BERTH_DATA_DIR: dir, BERTH_STATIC_PORT: String(port), BERTH_LOG_LEVEL: 'info', BERTH_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  try {
    // Ready once it says so (its stop handler is in place from then on).
    await waitFor('the static server', async () => output.includes('static server listening'), 30_000, 100);
    expect((await probeHttp(`http://127.0.0.1:${port}/`, { host: PING_HOST, timeoutMs: 500, expectedStatus: 204 })).ok).toBe(true);
    // A site that does not exist is a 404, not a listing or an error page of nginx's.
    expect((await probeHttp(`http://127.0.0.1:${port}/`, { host: 'x', timeoutMs: 1000, expectedStatus: 404 })).status).toBe(404);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor('the port to close', async () => (await probeHttp(`http://127.0.0.1:${port}/`, { host: PING_HOST, timeoutMs: 500, expectedStatus: 204 })).status === null, 10_000, 100);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
