// A Berth of the test file's own whose GitHub is a local stand-in: the app made through the
// manifest flow, installed, and its repositories synced.
import { expect } from 'vitest';
import { startBerth, type BerthOptions, type TestBerth } from './berth.js';
import { startGitHubStandIn, type GitHubStandIn, type StandInRepository } from './github-stand-in.js';
import { waitFor } from './wait.js';
import { setUpGitHubApp } from './webhooks.js';
import type { Json } from './json.js';

export async function startGitHubBerth(options: { installationId: number; repositories: StandInRepository[]; berth?: BerthOptions }): Promise<{ berth: TestBerth; github: GitHubStandIn }> {
  const github = await startGitHubStandIn({ installations: [{ id: options.installationId, account: 'octo-org', repositories: options.repositories }] });
  const berth = await startBerth({ ...options.berth, env: { ...options.berth?.env, BERTH_GITHUB_API_URL: github.url, BERTH_GITHUB_WEB_URL: github.webUrl } });
  await setUpGitHubApp(berth, github, options.installationId);
  await waitFor('the repositories to sync', async () => {
    const res = await berth.api('GET', `/api/v1/github/installations/${options.installationId}/repositories`);
    return res.body?.items?.length === options.repositories.length;
  });
  return { berth, github };
}

/** An API call that must succeed; returns its body. */
export async function ok(berth: TestBerth, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await berth.api(method, path, body);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body;
}
