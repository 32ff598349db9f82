// Deploys of apps of kind git: the commit is fetched and built (phase build), then the image
// path takes over (resolve → … → prune). It builds on the app's build host and goes through the
// registry when BERTH_BUILD_REGISTRY is set: pushed there, pulled by digest on the placed host
// (which pins that digest on the release); without a registry it builds on the placed host. A
// spread environment (its lane hands it the hosts) is built once, pushed, and every host pulls
// the pinned digest (workflows/spread-image.ts); without a registry it fails untouched. A
// deployment of a GitHub commit reports to GitHub as it goes (workflows/git-source.ts,
// workflows/git-feedback.ts).
import { ApplicationFailure, patched } from '@temporalio/workflow';
import type { DeployRequest, DeployResult } from '../src/domain/deployment.js';
import { imageSteps } from './deploy-image.js';
import { runDeployment, type Deployment } from './deployment-skeleton.js';
import { BUILD } from './activity-profiles.js';
import { fetchCommit, withGitSource, type GitBuild } from './git-source.js';
import { hostActivities } from './host-activities.js';
import { spreadImageSteps } from './spread-image.js';

/** Marks histories whose build asks where to build and may push to the registry; older ones built on the placed host. */
export const BUILD_HOST_REGISTRY = 'build-host-registry';

export async function deployFromGit(request: DeployRequest): Promise<DeployResult> {
  return withGitSource(request, (git) => {
    // Only lanes since SPREAD_GIT (workflows/lane-placement.ts) hand a git deploy a spread.
    if (request.spread) return runDeployment(request, spreadImageSteps(request, git ? (deploy) => buildFromGit(deploy, git, true, true) : undefined));
    if (!git) return runDeployment(request, imageSteps(request));
    // Checked before the start's announcement, a local activity the build would otherwise follow (docs/architecture.md, "Patch checks and local activities").
    let planned = false;
    const steps = imageSteps(request, (deploy) => buildFromGit(deploy, git, planned));
    const decideAtStart = () => {
      planned = patched(BUILD_HOST_REGISTRY);
    };
    return runDeployment(request, { ...steps, decideAtStart });
  });
}

/** Fetches and builds the commit; returns the image the placed host releases (a digest when pushed). */
async function buildFromGit(deploy: Deployment, git: GitBuild, planned: boolean, spread = false): Promise<string> {
  const { request } = deploy;
  const plan = spread || planned ? await deploy.store.planBuild({ appId: request.appId, appName: request.appName, placedHostId: request.hostId }) : null;
  // A spread's hosts other than the builder could not get the image (the API refuses such a
  // spread; this is the registry removed from the configuration since).
  if (spread && !plan?.repository) throw ApplicationFailure.nonRetryable('a spread git app needs a registry to carry its image to every host: set BERTH_BUILD_REGISTRY', 'ValidationFailed');
  const builder = plan ? hostActivities(plan.hostId, BUILD) : deploy.onHost(BUILD);
  // The checkout is on the build host: that is where it is discarded when the deployment ends.
  if (plan) git.checkoutHostId = plan.hostId;
  const sha = await fetchCommit(deploy, git, builder);
  const built = await builder.buildImage({ deploymentId: request.deploymentId, appId: request.appId, appName: request.appName, sha });
  if (!plan?.repository) return built.image;
  const pushed = await builder.pushImage({ deploymentId: request.deploymentId, image: built.image, repository: plan.repository });
  return pushed.pinned;
}
