// Octokit clients pointed at the configured GitHub API (github.com, a GitHub Enterprise server,
// or the local stand-in the tests run). Every request has a deadline.
import { App } from '@octokit/app';
import { Octokit } from '@octokit/core';

export const GITHUB_REQUEST_TIMEOUT_MS = 15_000;

export interface GitHubAppCredentials {
  appId: number;
  privateKey: string;
}

function timedFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const deadline = AbortSignal.timeout(GITHUB_REQUEST_TIMEOUT_MS);
  return fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
}

/** An unauthenticated Octokit class for `apiUrl` (the manifest code exchange needs no auth). */
export function octokitFor(apiUrl: string): typeof Octokit {
  return Octokit.defaults({ baseUrl: apiUrl, userAgent: 'berth', request: { fetch: timedFetch } });
}

/** The GitHub App: app-authenticated requests (JWT) and installation tokens, cached by Octokit. */
export function createGitHubApp(credentials: GitHubAppCredentials, apiUrl: string): App {
  return new App({ appId: credentials.appId, privateKey: credentials.privateKey, Octokit: octokitFor(apiUrl) });
}
