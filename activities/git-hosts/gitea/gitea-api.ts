// What Berth asks of a Gitea or Forgejo server, as the connection's access token: report a
// commit status, read a commit, and the header git clones with. The token goes in headers only
// (never a URL, a command line or a log line).
import type { Db } from '../../../db/client.js';
import { getGitHost, openGitHost, type GitHostRow } from '../../../db/queries/git-hosts.js';
import { permanentFailure } from '../../../src/errors.js';
import type { SecretBox } from '../../../src/secrets/secret-box.js';
import type { HostRepository } from '../../../src/domain/host-repositories.js';

const REQUEST_TIMEOUT_MS = 15_000;

/** Berth's commit states; each host names them its own way. */
export type GiteaCommitState = 'pending' | 'success' | 'failure' | 'error';

export type { HostRepository };

/** Pages of repositories read at most. */
export const MAX_REPOSITORY_PAGES = 50;

/** What Berth asks of a git host connection's server, whatever its kind. */
export interface GiteaApi {
  /** The connection (throws a permanent failure when it was removed). */
  host(id: string): Promise<GitHostRow>;
  setCommitStatus(hostId: string, repository: string, sha: string, status: { state: GiteaCommitState; targetUrl: string; description: string; context: string }): Promise<void>;
  /** The commit's id, or null when the repository has no such commit. */
  getCommit(hostId: string, repository: string, ref: string): Promise<string | null>;
  /** The clone URL of a repository and the HTTP header that authenticates git for it. */
  cloneTarget(hostId: string, repository: string): Promise<{ url: string; header: string }>;
  /** The repositories the connection's credentials can read (at most MAX_REPOSITORY_PAGES pages). */
  listRepositories(hostId: string): Promise<HostRepository[]>;
  /** Hosts with environments and deployments (GitLab): mirror a deployment's state there. */
  reportDeployment?(hostId: string, repository: string, deployment: HostDeployment): Promise<void>;
  /** Hosts with environments (GitLab): a removed preview's environment is stopped. */
  stopEnvironment?(hostId: string, repository: string, environment: string): Promise<void>;
}

export interface HostDeployment {
  /** The host's environment name (berth/<app>/<env>). */
  environment: string;
  ref: string;
  sha: string;
  state: GiteaCommitState;
  /** Where the environment answers, once it does. */
  environmentUrl: string | null;
}

export function createGiteaApi({ db, box }: { db: Db; box: SecretBox }): GiteaApi {
  async function host(id: string) {
    const row = await getGitHost(db, id);
    if (!row) throw permanentFailure('ValidationFailed', `git host connection ${id} was removed`);
    return row;
  }

  async function call(hostId: string, method: string, path: string, body?: unknown): Promise<Response> {
    const row = await host(hostId);
    const { accessToken } = openGitHost(box, row);
    const res = await fetch(`${row.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `token ${accessToken}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    // 4xx but rate limits will not change on a retry; 5xx and network errors are retried.
    if (res.status >= 400 && res.status < 500 && res.status !== 404 && res.status !== 429 && res.status !== 408) {
      throw permanentFailure('GitHubRequestFailed', `${row.kind} ${row.name} refused ${method} ${path.split('?')[0]} (HTTP ${res.status})`);
    }
    if (res.status >= 500) throw new Error(`${row.kind} ${row.name} answered HTTP ${res.status} to ${method}`);
    return res;
  }

  const repoPath = (repository: string) => repository.split('/').map(encodeURIComponent).join('/');

  return {
    host,
    async setCommitStatus(hostId, repository, sha, status) {
      const res = await call(hostId, 'POST', `/repos/${repoPath(repository)}/statuses/${encodeURIComponent(sha)}`, {
        state: status.state,
        target_url: status.targetUrl,
        description: status.description,
        context: status.context,
      });
      if (!res.ok) throw permanentFailure('GitHubRequestFailed', `commit status not accepted (HTTP ${res.status})`);
    },
    async getCommit(hostId, repository, ref) {
      const res = await call(hostId, 'GET', `/repos/${repoPath(repository)}/git/commits/${encodeURIComponent(ref)}`);
      if (res.status === 404) return null;
      const commit = (await res.json()) as { sha?: unknown };
      return typeof commit.sha === 'string' ? commit.sha : null;
    },
    async cloneTarget(hostId, repository) {
      const row = await host(hostId);
      const { accessToken } = openGitHost(box, row);
      // Gitea takes an access token as the password of HTTP basic authentication.
      return { url: `${row.baseUrl}/${repoPath(repository)}.git`, header: `Authorization: Basic ${Buffer.from(`berth:${accessToken}`).toString('base64')}` };
    },
    async listRepositories(hostId) {
      const out: HostRepository[] = [];
      for (let page = 1; page <= MAX_REPOSITORY_PAGES; page++) {
        const res = await call(hostId, 'GET', `/user/repos?limit=50&page=${page}`);
        if (!res.ok) break;
        const list = (await res.json()) as { full_name?: unknown; private?: unknown; default_branch?: unknown; html_url?: unknown }[];
        for (const r of list) {
          if (typeof r.full_name !== 'string') continue;
          out.push({ fullName: r.full_name, private: r.private === true, defaultBranch: typeof r.default_branch === 'string' ? r.default_branch : null, htmlUrl: typeof r.html_url === 'string' ? r.html_url : null });
        }
        if (list.length < 50) break;
      }
      return out;
    },
  };
}
