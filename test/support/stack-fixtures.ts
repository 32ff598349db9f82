// A stack app through the API, and the three-service compose file the stack tests share:
// web (exposed through Traefik) → api (needs store healthy) → store.
import { expect } from 'vitest';
import type { TestBerth } from './berth.js';
import { startLoad } from './load.js';
import { waitForDeployment } from './wait.js';

export interface StackFixture {
  app: string;
  env: string;
  environmentId: string;
  host: string;
  base: string;
}

const HEALTHCHECK = `
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
      interval: 200ms
      timeout: 1s
      retries: 2
      start_period: 3s`;

/** Images come from the environment's variables, so one file serves every test. */
export const THREE_SERVICES = `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    depends_on:
      api: { condition: service_healthy }
    environment:
      API_URL: http://api:8080
    x-berth: { port: 8080, path: /healthz }
  api:
    image: \${API_IMAGE:?set API_IMAGE}
    depends_on:
      store: { condition: service_healthy }${HEALTHCHECK}
  store:
    image: \${STORE_IMAGE:?set STORE_IMAGE}
    volumes: [data:/data]
    secrets: [token]${HEALTHCHECK}
volumes:
  data: {}
secrets:
  token: { x-berth-variable: STORE_TOKEN }
`;

export async function createStackApp(
  berth: TestBerth,
  options: { app: string; compose: string; variables?: Record<string, string>; environment?: Record<string, unknown> },
): Promise<StackFixture> {
  const env = 'prod';
  expect((await berth.api('POST', '/api/v1/projects', { name: `p-${options.app}` })).status).toBe(201);
  const app = await berth.api('POST', '/api/v1/apps', { project: `p-${options.app}`, name: options.app, kind: 'stack', compose: options.compose });
  expect(app.status, JSON.stringify(app.body)).toBe(201);
  const created = await berth.api('POST', `/api/v1/apps/${options.app}/environments`, { name: env, drainSeconds: 1, ...options.environment });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const base = `/api/v1/apps/${options.app}/environments/${env}`;
  if (options.variables) await setVariables(berth, base, options.variables);
  return { app: options.app, env, environmentId: created.body.id, host: created.body.hosts[0], base };
}

export async function setVariables(berth: TestBerth, base: string, variables: Record<string, string>): Promise<void> {
  const res = await berth.api('PUT', `${base}/variables`, { variables });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export async function deployStack(berth: TestBerth, fx: StackFixture): Promise<string> {
  const res = await berth.api('POST', `${fx.base}/deployments`, {});
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.deploymentId;
}

/** When each service's rollout started, from a deployment as the API shows it. */
export function serviceStarts(deployment: { services: { service: string; phases: { phase: string; startedAt: string }[] }[] }): Record<string, number> {
  return Object.fromEntries(
    deployment.services.map((s) => [s.service, Date.parse(s.phases.find((p) => p.phase === 'update')?.startedAt ?? '')]),
  );
}

/**
 * Puts the compose file and deploys it under load through Traefik (20 requests/s at `path`,
 * only `accept` bodies count as answered): the deploy succeeds with 0 failed requests. Returns
 * the deploy's duration (request to a final state) and the load's counts.
 */
export async function deployUnderLoad(berth: TestBerth, fx: StackFixture, load: { entryUrl: string; path: string; accept: string[] }, compose: string): Promise<{ ms: number; ok: number; sent: number }> {
  const put = await berth.api('PUT', `/api/v1/apps/${fx.app}/compose`, { compose });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const running = startLoad({ url: load.entryUrl, host: fx.host, path: load.path, ratePerSecond: 20, maxRequests: 100_000, maxMs: 300_000, acceptBodies: load.accept });
  const started = Date.now();
  const d = await waitForDeployment(berth, await deployStack(berth, fx), 240_000);
  const ms = Date.now() - started;
  await new Promise((r) => setTimeout(r, 2000));
  const result = await running.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(result.ok).toBeGreaterThan(20);
  return { ms, ok: result.ok, sent: result.sent };
}
