// A git push or pull request whose deploy was refused before anything was queued (its variables
// do not satisfy the app's schema, or a reference does not resolve): the commit gets a failed
// status naming the keys, on GitHub or the git host connection it came from, linking to the
// delivery that says the same. A generic webhook has nowhere to report to: its delivery records it.
import { deliveryLink, statusContext } from '../../src/domain/git-build.js';
import type { GiteaApi } from '../git-hosts/gitea/gitea-api.js';
import { githubStatus, type GitHubClient } from './github-client.js';
import { permanentFailure } from '../../src/errors.js';

const DESCRIPTION_MAX = 140;

export interface RefusalReport {
  deliveryId: string;
  appName: string;
  environmentName: string;
  repository: string;
  sha: string;
  installationId: number | null;
  gitHostId: string | null;
  publicUrl: string;
  message: string;
}

export function createRefusalFeedback({ github, hosts }: { github: GitHubClient; hosts: GiteaApi }) {
  return {
    /** The refused commit's status: failure, with why (cut to what git hosts keep). */
    async reportRefusal(input: RefusalReport): Promise<void> {
      const description = `Refused: ${input.message}`.slice(0, DESCRIPTION_MAX);
      const targetUrl = deliveryLink(input.publicUrl, input.deliveryId);
      const context = statusContext(input.appName, input.environmentName);
      if (input.gitHostId) {
        await hosts.setCommitStatus(input.gitHostId, input.repository, input.sha, { state: 'failure', targetUrl, description, context });
        return;
      }
      if (input.installationId === null) return;
      const [owner, repo] = input.repository.split('/') as [string, string];
      const octokit = await github.installation(input.installationId);
      try {
        await octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', { owner, repo, sha: input.sha, state: 'failure', target_url: targetUrl, description, context });
      } catch (err) {
        const status = githubStatus(err);
        if (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408) throw permanentFailure('GitHubRequestFailed', `GitHub refused the commit status (HTTP ${status})`);
        throw err;
      }
    },
  };
}
