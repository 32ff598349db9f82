// /healthz names the dependency that is down: the real `berth api` process against its own
// Temporal dev server, PostgreSQL cluster and Traefik, each stopped in turn.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/services/temporal-dev-server.js';
import { startTraefik, type TraefikProcess } from '../../src/services/traefik.js';
import { toolPaths } from '../../src/process/embedded-services.js';
import { freePort } from '../support/free-port.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { waitFor } from '../support/wait.js';

const ROOT = new URL('../..', import.meta.url).pathname;
let dir: string;
let temporal: TemporalDevServer;
let traefik: TraefikProcess;
let pg: PostgresCluster;
let api: ChildProcess;
let url: string;

beforeAll(async () => {
  const tools = toolPaths(inject('services').toolsDir);
  dir = mkdtempSync(join(tmpdir(), 'berth-health-'));
  [temporal, pg] = await Promise.all([
    startTemporalDevServer({ binary: tools.temporal, port: await freePort(), uiPort: null, logFile: join(dir, 'temporal.log') }),
    startPostgresCluster(),
  ]);
  traefik = await startTraefik(tools.traefik, {
    dir: join(dir, 'traefik'),
    routesDir: join(dir, 'routes'),
    entryPort: await freePort(),
    apiPort: await freePort(),
  });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  api = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'api'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: {
      ...process.env,
      BERTH_DATA_DIR: dir,
      DATABASE_URL: pg.url('postgres'),
      TEMPORAL_ADDRESS: temporal.address,
      BERTH_API_PORT: String(port),
      BERTH_SECRET_KEY: randomBytes(32).toString('base64'),
      BERTH_TRAEFIK_API_URL: traefik.apiUrl,
      BERTH_LOG_LEVEL: 'error',
    },
  });
  await waitFor('the API to listen', async () => (await fetch(`${url}/healthz`)).status > 0, 60_000, 200);
});

afterAll(async () => {
  api?.kill('SIGKILL');
  await traefik?.stop();
  await temporal?.stop();
  try {
    pg?.stop();
  } catch {
    // stopped by the test already
  }
  rmSync(dir, { recursive: true, force: true });
});

async function health() {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; checks: Record<string, { ok: boolean; error?: string }> } };
}

test('healthy when every dependency answers, then names each one that stops', async () => {
  const first = await health();
  expect(first.status).toBe(200);
  expect(Object.fromEntries(Object.entries(first.body.checks).map(([k, v]) => [k, v.ok]))).toEqual({
    database: true,
    temporal: true,
    docker: true,
    traefik: true,
  });

  await traefik.stop();
  const noTraefik = await health();
  expect(noTraefik.status).toBe(503);
  expect(noTraefik.body.checks.traefik?.ok).toBe(false);
  expect(noTraefik.body.checks.database?.ok).toBe(true);
  expect(noTraefik.body.checks.temporal?.ok).toBe(true);

  await temporal.stop();
  const noTemporal = await health();
  expect(noTemporal.body.checks.temporal?.ok).toBe(false);
  expect(noTemporal.body.checks.database?.ok).toBe(true);
  expect(noTemporal.body.checks.docker?.ok).toBe(true);

  pg.stop();
  const noDatabase = await health();
  expect(noDatabase.status).toBe(503);
  expect(noDatabase.body.checks.database?.ok).toBe(false);
  expect(noDatabase.body.checks.docker?.ok).toBe(true);
});
