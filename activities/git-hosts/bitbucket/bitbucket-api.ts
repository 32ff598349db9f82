// What Berth asks of Bitbucket Cloud, as the connection's credentials (sealed): build statuses
// on a commit, a commit (to resolve the abbreviated hashes pull-request deliveries carry), the
// repositories the credentials reach, and the header git clones with. The credentials are an
// access token (repository, project or workspace: sent as a bearer token, cloned as
// x-token-auth) or "<username>:<app password>" (HTTP basic for both). Headers only, never a URL.
import type { Db } from '../../../db/client.js';
import { openGitHost, type GitHostRow } from '../../../db/queries/git-hosts.js';
import { permanentFailure } from '../../../src/errors.js';
import type { SecretBox } from '../../../src/secrets/secret-box.js';
import type { GiteaApi, GiteaCommitState, HostRepository } from '../gitea/gitea-api.js';
import { createGiteaApi, MAX_REPOSITORY_PAGES } from '../gitea/gitea-api.js';

const REQUEST_TIMEOUT_MS = 15_000;
/** Bitbucket's names for Berth's commit states. */
const STATES: Record<GiteaCommitState, string> = { pending: 'INPROGRESS', success: 'SUCCESSFUL', failure: 'FAILED', error: 'STOPPED' };

/** Where the REST API is: bitbucket.org's is on its own host; any other address serves it under /2.0. */
export function bitbucketApiRoot(baseUrl: string): string {
  const url = new URL(baseUrl);
  return url.hostname === 'bitbucket.org' ? 'https://api.bitbucket.org/2.0' : `${baseUrl}/2.0`;
}

/** The Authorization header for the API, and the one for git. */
export function bitbucketAuthorization(credentials: string): { api: string; git: string } {
  const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
  if (credentials.includes(':')) return { api: basic(credentials), git: basic(credentials) };
  return { api: `Bearer ${credentials}`, git: basic(`x-token-auth:${credentials}`) };
}

const repoPath = (repository: string) => repository.split('/').map(encodeURIComponent).join('/');

export function createBitbucketApi({ db, box }: { db: Db; box: SecretBox }): GiteaApi {
  const { host } = createGiteaApi({ db, box });

  async function call(row: GitHostRow, method: string, url: string, body?: unknown): Promise<Response> {
    const res = await fetch(url, {
      method,
      headers: { authorization: bitbucketAuthorization(openGitHost(box, row).accessToken).api, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    // 4xx but rate limits will not change on a retry; 5xx and network errors are retried.
    if (res.status >= 400 && res.status < 500 && res.status !== 404 && res.status !== 429 && res.status !== 408) {
      throw permanentFailure('GitHubRequestFailed', `bitbucket ${row.name} refused ${method} ${new URL(url).pathname} (HTTP ${res.status})`);
    }
    if (res.status >= 500 || res.status === 429) throw new Error(`bitbucket ${row.name} answered HTTP ${res.status} to ${method}`);
    return res;
  }

  const api = async (hostId: string) => {
    const row = await host(hostId);
    return { row, root: bitbucketApiRoot(row.baseUrl) };
  };

  return {
    host,
    async setCommitStatus(hostId, repository, sha, status) {
      const { row, root } = await api(hostId);
      const res = await call(row, 'POST', `${root}/repositories/${repoPath(repository)}/commit/${encodeURIComponent(sha)}/statuses/build`, {
        // The key names the status: a later one with the same key replaces it.
        key: status.context,
        state: STATES[status.state],
        name: status.context,
        url: status.targetUrl,
        description: status.description,
      });
      if (!res.ok) throw permanentFailure('GitHubRequestFailed', `build status not accepted (HTTP ${res.status})`);
    },
    async getCommit(hostId, repository, ref) {
      const { row, root } = await api(hostId);
      const res = await call(row, 'GET', `${root}/repositories/${repoPath(repository)}/commit/${encodeURIComponent(ref)}`);
      if (res.status === 404) return null;
      const commit = (await res.json()) as { hash?: unknown };
      return typeof commit.hash === 'string' && /^[0-9a-f]{40}$/.test(commit.hash) ? commit.hash : null;
    },
    async cloneTarget(hostId, repository) {
      const row = await host(hostId);
      return { url: `${row.baseUrl}/${repoPath(repository)}.git`, header: `Authorization: ${bitbucketAuthorization(openGitHost(box, row).accessToken).git}` };
    },
    async listRepositories(hostId) {
      const { row, root } = await api(hostId);
      const out: HostRepository[] = [];
      let next: string | null = `${root}/repositories?role=member&pagelen=100`;
      for (let page = 0; next && page < MAX_REPOSITORY_PAGES; page++) {
        // Only follow pages on the API's own origin: a "next" elsewhere would carry the credentials away.
        if (new URL(next).origin !== new URL(root).origin) break;
        const res = await call(row, 'GET', next);
        if (!res.ok) break;
        const body = (await res.json()) as { values?: { full_name?: unknown; is_private?: unknown; mainbranch?: { name?: unknown } | null; links?: { html?: { href?: unknown } } }[]; next?: unknown };
        for (const r of body.values ?? []) {
          if (typeof r.full_name !== 'string') continue;
          out.push({
            fullName: r.full_name,
            private: r.is_private === true,
            defaultBranch: typeof r.mainbranch?.name === 'string' ? r.mainbranch.name : null,
            htmlUrl: typeof r.links?.html?.href === 'string' ? r.links.html.href : null,
          });
        }
        next = typeof body.next === 'string' ? body.next : null;
      }
      return out;
    },
  };
}
