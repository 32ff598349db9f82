// Deploys of apps of kind git: the commit is fetched and built on the deployment's host (phase
// build), then the image path of deployRelease takes over (resolve → … → prune). A deployment
// of a GitHub commit reports to GitHub as it goes (workflows/git-feedback.ts).
import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { HostActivities } from '../activities/index.js';
import type { DeployRequest, DeployResult } from '../src/domain/deployment.js';
import type { PhaseReport } from '../src/domain/phases.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { BUILD, DOCKER } from './activity-profiles.js';
import { deployRelease } from './deploy-release.js';
import { gitFeedback } from './git-feedback.js';

export async function deployFromGit(request: DeployRequest): Promise<DeployResult> {
  const { deploymentId, appId } = request;
  const onHost = { taskQueue: hostTaskQueue(request.hostId) };
  const builder = proxyActivities<HostActivities>({ ...BUILD, ...onHost });
  const host = proxyActivities<HostActivities>({ ...DOCKER, ...onHost });
  const source = request.source;
  if (!source) return deployRelease(request);
  const feedback = gitFeedback(request, source);

  const build = async (report: PhaseReport): Promise<string> => {
    if (source.sha) feedback.started(source.sha);
    const fetched = await builder.fetchSource({ report, deploymentId, appId, source });
    feedback.started(fetched.sha);
    const built = await builder.buildImage({ deploymentId, appId, appName: request.appName, sha: fetched.sha });
    return built.image;
  };

  const result = await deployRelease(request, { build });

  await CancellationScope.nonCancellable(async () => {
    await host.discardWorkspace({ deploymentId }).catch(() => undefined);
    await feedback.finished(result);
  });
  return result;
}
