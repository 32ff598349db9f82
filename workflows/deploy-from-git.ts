// Deploys of apps of kind git: the commit is fetched and built on the deployment's host (phase
// build), then the image path takes over (resolve → … → prune). A deployment of a GitHub commit
// reports to GitHub as it goes (workflows/git-source.ts, workflows/git-feedback.ts).
import type { DeployRequest, DeployResult } from '../src/domain/deployment.js';
import { imageSteps } from './deploy-image.js';
import { runDeployment } from './deployment-skeleton.js';
import { BUILD } from './activity-profiles.js';
import { fetchCommit, withGitSource } from './git-source.js';

export async function deployFromGit(request: DeployRequest): Promise<DeployResult> {
  return withGitSource(request, (git) => {
    if (!git) return runDeployment(request, imageSteps(request));
    return runDeployment(
      request,
      imageSteps(request, async (deploy) => {
        const sha = await fetchCommit(deploy, git);
        const built = await deploy.onHost(BUILD).buildImage({ deploymentId: request.deploymentId, appId: request.appId, appName: request.appName, sha });
        return built.image;
      }),
    );
  });
}
