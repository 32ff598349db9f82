// Creating the project → app → environment a test deploys into, through the API.
import { expect } from 'vitest';
import type { TestBerth } from './berth.js';

export interface AppFixture {
  app: string;
  env: string;
  environmentId: string;
  host: string;
  base: string;
}

export async function createImageApp(
  berth: TestBerth,
  options: { app: string; env?: string; image?: string; healthCheck?: Record<string, unknown>; environment?: Record<string, unknown>; replicas?: number },
): Promise<AppFixture> {
  const env = options.env ?? 'prod';
  const project = await berth.api('POST', '/api/v1/projects', { name: `p-${options.app}` });
  expect(project.status).toBe(201);
  const app = await berth.api('POST', '/api/v1/apps', {
    project: `p-${options.app}`,
    name: options.app,
    image: options.image,
    port: 8080,
    replicas: options.replicas ?? 1,
    healthCheck: { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 2000, failureThreshold: 3, ...options.healthCheck },
  });
  expect(app.status, JSON.stringify(app.body)).toBe(201);
  const created = await berth.api('POST', `/api/v1/apps/${options.app}/environments`, { name: env, drainSeconds: 0, ...options.environment });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return {
    app: options.app,
    env,
    environmentId: created.body.id,
    host: created.body.hosts[0],
    base: `/api/v1/apps/${options.app}/environments/${env}`,
  };
}

/** POSTs a deployment and returns its id (asserting the 202). */
export async function deploy(berth: TestBerth, fx: AppFixture, image?: string): Promise<string> {
  const res = await berth.api('POST', `${fx.base}/deployments`, image ? { image } : {});
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.deploymentId;
}
