// What Berth asks of a GitLab server, as the connection's project/group access token (sealed):
// commit statuses, environments and deployments, a commit, its projects, and the header git clones with. The token is sent in headers only.
import type { Db } from '../../../db/client.js';
import { openGitHost } from '../../../db/queries/git-hosts.js';
import { permanentFailure } from '../../../src/errors.js';
import type { SecretBox } from '../../../src/secrets/secret-box.js';
import type { GiteaApi, GiteaCommitState, HostRepository } from '../gitea/gitea-api.js';
import { createGiteaApi, MAX_REPOSITORY_PAGES } from '../gitea/gitea-api.js';
import { createGitLabDeployments } from './gitlab-deployments.js';

const REQUEST_TIMEOUT_MS = 15_000;
/** GitLab's names for Berth's commit states. */
const STATES: Record<GiteaCommitState, string> = { pending: 'running', success: 'success', failure: 'failed', error: 'failed' };

export function createGitLabApi({ db, box }: { db: Db; box: SecretBox }): GiteaApi {
  // The connection lookup is the same for every kind.
  const { host } = createGiteaApi({ db, box });
  const project = (repository: string) => encodeURIComponent(repository);

  async function call(hostId: string, method: string, path: string, body?: unknown): Promise<Response> {
    const row = await host(hostId);
    const res = await fetch(`${row.baseUrl}/api/v4${path}`, {
      method,
      headers: { 'private-token': openGitHost(box, row).accessToken, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (res.status >= 400 && res.status < 500 && res.status !== 404 && res.status !== 429 && res.status !== 408) {
      throw permanentFailure('GitHubRequestFailed', `gitlab ${row.name} refused ${method} ${path.split('?')[0]} (HTTP ${res.status})`);
    }
    if (res.status >= 500) throw new Error(`gitlab ${row.name} answered HTTP ${res.status} to ${method}`);
    return res;
  }

  return {
    host,
    async setCommitStatus(hostId, repository, sha, status) {
      const res = await call(hostId, 'POST', `/projects/${project(repository)}/statuses/${encodeURIComponent(sha)}`, {
        state: STATES[status.state],
        name: status.context,
        target_url: status.targetUrl,
        description: status.description,
      });
      if (!res.ok) throw permanentFailure('GitHubRequestFailed', `commit status not accepted (HTTP ${res.status})`);
    },
    async getCommit(hostId, repository, ref) {
      const res = await call(hostId, 'GET', `/projects/${project(repository)}/repository/commits/${encodeURIComponent(ref)}`);
      if (res.status === 404) return null;
      const commit = (await res.json()) as { id?: unknown };
      return typeof commit.id === 'string' ? commit.id : null;
    },
    async cloneTarget(hostId, repository) {
      const row = await host(hostId);
      // GitLab takes an access token as the password of the user "oauth2".
      const token = openGitHost(box, row).accessToken;
      return { url: `${row.baseUrl}/${repository.split('/').map(encodeURIComponent).join('/')}.git`, header: `Authorization: Basic ${Buffer.from(`oauth2:${token}`).toString('base64')}` };
    },
    async reportDeployment(hostId, repository, deployment) {
      await createGitLabDeployments((method, path, body) => call(hostId, method, path, body), repository).report(deployment);
    },
    async stopEnvironment(hostId, repository, environment) {
      await createGitLabDeployments((method, path, body) => call(hostId, method, path, body), repository).stop(environment);
    },
    async listRepositories(hostId) {
      const out: HostRepository[] = [];
      for (let page = 1; page <= MAX_REPOSITORY_PAGES; page++) {
        // Projects the token is a member of (a project or group token: its project or group's).
        const res = await call(hostId, 'GET', `/projects?membership=true&simple=true&per_page=100&page=${page}`);
        if (!res.ok) break;
        const list = (await res.json()) as { path_with_namespace?: unknown; visibility?: unknown; default_branch?: unknown; web_url?: unknown }[];
        for (const p of list) {
          if (typeof p.path_with_namespace !== 'string') continue;
          out.push({ fullName: p.path_with_namespace, private: p.visibility !== 'public', defaultBranch: typeof p.default_branch === 'string' ? p.default_branch : null, htmlUrl: typeof p.web_url === 'string' ? p.web_url : null });
        }
        if (list.length < 100) break;
      }
      return out;
    },
  };
}
