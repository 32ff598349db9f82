// Static apps in tests: create one through the API, upload a site archive, read through Traefik.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestBerth } from './berth.js';
import type { AppFixture } from './fixtures.js';
import type { Json } from './json.js';

export async function createStaticApp(
  berth: TestBerth,
  options: { app: string; env?: string; static?: Record<string, unknown>; environment?: Record<string, unknown> },
): Promise<AppFixture> {
  const env = options.env ?? 'prod';
  expect((await berth.api('POST', '/api/v1/projects', { name: `p-${options.app}` })).status).toBe(201);
  const app = await berth.api('POST', '/api/v1/apps', { project: `p-${options.app}`, name: options.app, kind: 'static', static: options.static });
  expect(app.status, JSON.stringify(app.body)).toBe(201);
  const created = await berth.api('POST', `/api/v1/apps/${options.app}/environments`, { name: env, drainSeconds: 0, ...options.environment });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { app: options.app, env, environmentId: created.body.id, host: created.body.hosts[0], base: `/api/v1/apps/${options.app}/environments/${env}` };
}

/** POSTs an archive as the deployment body; returns the raw answer. */
export async function uploadArchive(berth: TestBerth, fx: AppFixture, archive: Buffer, contentType = 'application/gzip') {
  const res = await berth.request(`${fx.base}/deployments`, { method: 'POST', body: archive, headers: { 'content-type': contentType } });
  const text = await res.text();
  let body: Json = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

export async function deployArchive(berth: TestBerth, fx: AppFixture, archive: Buffer): Promise<string> {
  const res = await uploadArchive(berth, fx, archive);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.deploymentId;
}

/** Every file (not directory) under `dir`, relative to it. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1));
}
