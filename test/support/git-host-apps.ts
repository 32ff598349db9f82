// What the git host tests (Gitea, GitLab, Bitbucket) set up alike: two git apps of one project
// building from one repository of a connection, each with a `prod` environment. The first
// deploys pushes to main and previews pull requests into main; the second deploys pushes only,
// so one push is seen to reach both apps.
import { randomUUID } from 'node:crypto';
import type { TestBerth } from './berth.js';
import type { Json } from './json.js';

/** The answer's body; any status of 300 or more throws, naming the route and the answer. */
export async function ok(berth: TestBerth, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await berth.api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function setUpHostApps(berth: TestBerth, options: { project: string; apps: [string, string]; repository: string; gitHostId: string }): Promise<void> {
  const [first, second] = options.apps;
  await ok(berth, 'POST', '/api/v1/projects', { name: options.project });
  const healthCheck = { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 2000 };
  for (const name of options.apps) {
    // A build argument of its own per run: no build is served from another run's cache.
    const git = { repository: options.repository, gitHostId: options.gitHostId, buildArgs: { RUN_ID: randomUUID() } };
    await ok(berth, 'POST', '/api/v1/apps', { project: options.project, name, kind: 'git', port: 8080, healthCheck, git });
    await ok(berth, 'POST', `/api/v1/apps/${name}/environments`, { name: 'prod', drainSeconds: 0 });
  }
  await ok(berth, 'PUT', `/api/v1/apps/${first}/rules`, {
    rules: [
      { event: 'push', pattern: 'main', environment: 'prod' },
      { event: 'pull_request', pattern: '**', base: 'main', environment: 'prod' },
    ],
  });
  await ok(berth, 'PUT', `/api/v1/apps/${second}/rules`, { rules: [{ event: 'push', pattern: 'main', environment: 'prod' }] });
}
