// `berth dev`, the README's first command (after its setup step): one process brings up the
// Temporal dev server (with its Web UI), Traefik, PGlite, the workers and the API, prints the
// URLs, deploys, stops everything it started on SIGINT, and a second start reuses the data.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { probeHttp } from '../../src/http-probe.js';
import { siteArchive } from '../support/archives.js';
import { freePort } from '../support/free-port.js';
import { buildHello, removeImages } from '../support/images.js';
import { waitFor } from '../support/wait.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const image = 'berth-test/dev:v1';
let dataDir: string;
let env: Record<string, string>;
const instance = `dev-${process.pid}`;

beforeAll(async () => {
  buildHello(image, { version: 'dev-v1' });
  dataDir = mkdtempSync(join(tmpdir(), 'berth-dev-'));
  env = {
    BERTH_DATA_DIR: dataDir,
    BERTH_TOOLS_DIR: inject('services').toolsDir,
    BERTH_INSTANCE: instance,
    BERTH_API_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    BERTH_TEMPORAL_UI_PORT: String(await freePort()),
    BERTH_TRAEFIK_PORT: String(await freePort()),
    BERTH_TRAEFIK_API_PORT: String(await freePort()),
    BERTH_TRAEFIK_HTTPS_PORT: String(await freePort()),
    BERTH_STATIC_PORT: String(await freePort()),
    BERTH_LOG_FORMAT: 'json',
    BERTH_LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  const docker = new Docker();
  for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.instance=${instance}`] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
  rmSync(dataDir, { recursive: true, force: true });
  removeImages(image);
});

async function startDev(): Promise<{ child: ChildProcess; output: () => string }> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'dev'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await waitFor('"Berth is running."', async () => output.includes('Ctrl-C stops it.') || (child.exitCode !== null && Promise.reject(new Error(output))), 120_000, 200);
  return { child, output: () => output };
}

function descendants(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function stop(child: ChildProcess) {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

test('berth dev starts everything, prints working URLs, deploys, stops cleanly and keeps its data', async () => {
  const api = `http://127.0.0.1:${env.BERTH_API_PORT}`;
  const first = await startDev();
  const printed = first.output();
  for (const line of [`${api}/ui/`, `${api}/api/v1`, `${api}/api/v1/reference`, `http://127.0.0.1:${env.BERTH_TEMPORAL_UI_PORT}`, `http://127.0.0.1:${env.BERTH_TRAEFIK_PORT}`]) {
    expect(printed).toContain(line);
  }
  const health = await fetch(`${api}/healthz`);
  expect(health.status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${env.BERTH_TEMPORAL_UI_PORT}/`)).status).toBe(200);
  expect((await fetch(`${api}/api/v1/reference`)).status).toBe(200);
  // The web UI with no build step: its shell, and the script it names, bundled at start-up.
  const shell = await (await fetch(`${api}/ui/`)).text();
  const script = /src="(\/ui\/assets\/app\.[0-9a-f]{12}\.js)"/.exec(shell)?.[1];
  expect(script, shell).toBeDefined();
  expect((await fetch(`${api}${script}`)).status).toBe(200);

  // The README's first steps: the printed setup token makes the first administrator (signed in
  // with a session cookie), who makes an API token for curl.
  const setupToken = /berth_setup_[A-Za-z0-9_-]{43}/.exec(printed)?.[0];
  expect(setupToken, printed).toBeDefined();
  expect((await fetch(`${api}/api/v1/projects`)).status).toBe(401);
  const setup = await fetch(`${api}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ setupToken, email: 'dev@example.com', password: 'correct horse battery staple' }),
  });
  expect(setup.status).toBe(201);
  const { csrfToken } = (await setup.json()) as { csrfToken: string };
  const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const made = await fetch(`${api}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'curl', scopes: ['admin'] }),
  });
  expect(made.status).toBe(201);
  const auth = { authorization: `Bearer ${((await made.json()) as { token: string }).token}` };
  const post = (path: string, body: unknown) =>
    fetch(`${api}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
  expect((await post('/projects', { name: 'devp' })).status).toBe(201);
  expect((await post('/apps', { project: 'devp', name: 'devapp', image, healthCheck: { path: '/healthz' } })).status).toBe(201);
  expect((await post('/apps/devapp/environments', { name: 'prod', drainSeconds: 0 })).status).toBe(201);
  const deployed = (await (await post('/apps/devapp/environments/prod/deployments', {})).json()) as { deploymentId: string; temporalUrl: string };
  expect(deployed.temporalUrl).toContain(`http://127.0.0.1:${env.BERTH_TEMPORAL_UI_PORT}/namespaces/default/workflows/deploy-`);
  await waitFor('the app through Traefik', async () => {
    const res = await probeHttp(`http://127.0.0.1:${env.BERTH_TRAEFIK_PORT}/`, { host: 'devapp.prod.localhost', timeoutMs: 1000, expectedStatus: 200 });
    return res.body.trim() === 'dev-v1';
  });

  // A static site, served by the nginx `berth dev` runs.
  expect(printed).toContain(`http://127.0.0.1:${env.BERTH_STATIC_PORT}`);
  expect((await post('/apps', { project: 'devp', name: 'devsite', kind: 'static' })).status).toBe(201);
  expect((await post('/apps/devsite/environments', { name: 'prod' })).status).toBe(201);
  const upload = await fetch(`${api}/api/v1/apps/devsite/environments/prod/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/gzip', ...auth },
    body: siteArchive({ 'index.html': 'dev-site\n' }),
  });
  expect(upload.status).toBe(202);
  await waitFor('the static site through Traefik', async () => {
    const res = await probeHttp(`http://127.0.0.1:${env.BERTH_TRAEFIK_PORT}/`, { host: 'devsite.prod.localhost', timeoutMs: 1000, expectedStatus: 200 });
    return res.body === 'dev-site\n';
  });

  const children = descendants(first.child.pid as number);
  expect(children.length).toBeGreaterThanOrEqual(3); // temporal, traefik and nginx
  expect(await stop(first.child)).toBe(0);
  const what = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 200);
    } catch {
      return '?';
    }
  };
  for (const pid of children) expect(() => process.kill(pid, 0), `process ${pid} still running: ${what(pid)}`).toThrow();

  // Same data: the project, app and deployment are still there.
  const second = await startDev();
  try {
    expect(second.output()).not.toContain('berth_setup_');
    // A deployment still tidying up when Berth stopped finishes after the restart.
    await waitFor('the deployment to finish after the restart', async () => {
      const d = (await (await fetch(`${api}/api/v1/deployments/${deployed.deploymentId}`, { headers: auth })).json()) as { status: string };
      return d.status === 'succeeded';
    }, 60_000, 200);
    expect((await fetch(`${api}/api/v1/projects/devp`, { headers: auth })).status).toBe(200);
  } finally {
    expect(await stop(second.child)).toBe(0);
  }
}, 300_000);
