// Deployments built from a git commit (apps of kind git, git-backed stacks): the wrapper that
// gives the deployment its source and feedback to GitHub, and discards the checkout and reports
// the outcome whatever it is; and the fetch that opens the build phase.
import { CancellationScope } from '@temporalio/workflow';
import type { DeployRequest, DeployResult, GitSource } from '../src/domain/deployment.js';
import { BUILD, DOCKER } from './activity-profiles.js';
import type { Deployment } from './deployment-skeleton.js';
import { gitFeedback, type GitFeedback } from './git-feedback.js';
import { hostActivities } from './host-activities.js';
import type { HostActivities } from '../activities/index.js';

export interface GitBuild {
  source: GitSource;
  feedback: GitFeedback;
  /** The host the commit was fetched on, when not the deployment's own (a build host). */
  checkoutHostId?: string;
}

/** Runs `deploy` with the request's commit to build (null when it builds nothing: a rollback). */
export async function withGitSource(request: DeployRequest, deploy: (git: GitBuild | null) => Promise<DeployResult>): Promise<DeployResult> {
  const source = request.kind === 'deploy' ? request.source : undefined;
  if (!source) return deploy(null);
  const git: GitBuild = { source, feedback: gitFeedback(request, source) };
  let result: DeployResult | null = null;
  try {
    result = await deploy(git);
    return result;
  } finally {
    // Whatever the outcome, the deployment's checkout goes when it ends; then GitHub hears it.
    const host = hostActivities(git.checkoutHostId ?? request.hostId, DOCKER);
    await CancellationScope.nonCancellable(async () => {
      await host.discardWorkspace({ deploymentId: request.deploymentId }).catch(() => undefined);
      if (result) await git.feedback.finished(result);
    });
  }
}

/** Starts the build phase: fetches the commit onto the building host (default: the deployment's); returns its sha. */
export async function fetchCommit(deploy: Deployment, git: GitBuild, builder: HostActivities = deploy.onHost(BUILD)): Promise<string> {
  const { request, phases } = deploy;
  if (git.source.sha) git.feedback.started(git.source.sha);
  const fetched = await builder.fetchSource({ report: deploy.report(phases.next('build'), true), deploymentId: request.deploymentId, appId: request.appId, source: git.source });
  git.feedback.started(fetched.sha);
  return fetched.sha;
}
