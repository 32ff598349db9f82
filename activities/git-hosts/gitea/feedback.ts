// Feedback to a Gitea/Forgejo server for a deployment of one of its commits: a commit status,
// pending when the commit is known, then success/failure/error with the deployment's outcome,
// linking to the Berth deployment; on GitLab also a deployment in environment berth/<app>/<env>.
// (Gitea and Bitbucket have no deployments API to mirror GitHub's.)
import type { DeploymentStatus, GitSource } from '../../../src/domain/deployment.js';
import { deploymentLinks, statusContext } from '../../../src/domain/git-build.js';
import { permanentFailure } from '../../../src/errors.js';
import type { GiteaApi, GiteaCommitState } from './gitea-api.js';

const DESCRIPTION_MAX = 140;

export interface HostStatusInput {
  deploymentId: string;
  appName: string;
  environmentName: string;
  source: GitSource;
  sha: string;
  /** Absent: the deployment has started (pending). */
  status?: DeploymentStatus;
  message?: string | null;
}

export function giteaState(status: DeploymentStatus | undefined): GiteaCommitState {
  if (status === undefined) return 'pending';
  if (status === 'succeeded') return 'success';
  if (status === 'failed') return 'failure';
  return 'error';
}

export function createGiteaFeedback(api: GiteaApi) {
  return {
    /** The commit status of a deployment built from a git host connection's repository. */
    async reportHostCommitStatus(input: HostStatusInput): Promise<void> {
      const { source } = input;
      if (!source.gitHostId || !source.repository || !source.feedback) throw permanentFailure('ValidationFailed', 'deployment has no git host feedback target');
      const state = giteaState(input.status);
      const text = input.status === undefined ? `Deploying to ${input.environmentName}` : (input.message ?? input.status);
      const context = statusContext(input.appName, input.environmentName);
      await api.setCommitStatus(source.gitHostId, source.repository, input.sha, {
        state,
        targetUrl: deploymentLinks(source.feedback.publicUrl, input.deploymentId).targetUrl,
        description: text.slice(0, DESCRIPTION_MAX),
        context,
      });
      // Where the host has environments (GitLab), the deployment is mirrored there too.
      await api.reportDeployment?.(source.gitHostId, source.repository, { environment: context, ref: source.ref ?? input.sha, sha: input.sha, state, environmentUrl: source.feedback.environmentUrl });
    },

    /** A preview removed: its environment on the host, where the host has them, is stopped. */
    async reportHostEnvironmentRemoved(input: Omit<HostStatusInput, 'status' | 'message'>): Promise<void> {
      const { source } = input;
      if (!source.gitHostId || !source.repository) return;
      await api.stopEnvironment?.(source.gitHostId, source.repository, statusContext(input.appName, input.environmentName));
    },
  };
}
