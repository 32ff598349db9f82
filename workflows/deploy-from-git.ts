// Deploys of apps of kind git: the commit is fetched and built on the deployment's host (phase
// build), then the image path of deployRelease takes over (resolve → … → prune). A deployment
// of a GitHub commit reports to GitHub as it goes: commit status pending and a GitHub
// Deployment in progress when the build starts, success or failure at the end. Feedback never
// decides the deployment's outcome: a GitHub outage costs a warning in the log, nothing more.
import { CancellationScope, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { DeployRequest, DeployResult } from '../src/domain/deployment.js';
import type { PhaseReport } from '../src/domain/phases.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { BUILD, DOCKER, GITHUB, STORE } from './activity-profiles.js';
import { deployRelease } from './deploy-release.js';
import { describeFailure } from './failure.js';

export async function deployFromGit(request: DeployRequest): Promise<DeployResult> {
  const { deploymentId, appId } = request;
  const onHost = { taskQueue: hostTaskQueue(request.hostId) };
  const builder = proxyActivities<HostActivities>({ ...BUILD, ...onHost });
  const host = proxyActivities<HostActivities>({ ...DOCKER, ...onHost });
  const github = proxyActivities<ControlActivities>(GITHUB);
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const source = request.source;
  if (!source) return deployRelease(request);

  const reportsToGitHub = source.feedback !== null && source.repository !== null && source.installationId !== null;
  let sha = source.sha;
  const feedback = (commit: string) => ({ deploymentId, appName: request.appName, environmentName: request.environmentName, source, sha: commit });
  const warn = (what: string, err: unknown) =>
    store.noteFeedbackFailure({ deploymentId, message: `GitHub ${what} not reported: ${describeFailure(err).message}` }).catch(() => undefined);
  const reported: { start: Promise<boolean> | null } = { start: null };
  const startFeedback = (commit: string) => {
    if (!reportsToGitHub || reported.start) return;
    reported.start = github.reportDeployStarted(feedback(commit)).then(
      () => true,
      async (err) => {
        await warn('start', err);
        return false;
      },
    );
  };

  const build = async (report: PhaseReport): Promise<string> => {
    if (sha) startFeedback(sha);
    const fetched = await builder.fetchSource({ report, deploymentId, appId, source });
    sha = fetched.sha;
    startFeedback(sha);
    const built = await builder.buildImage({ deploymentId, appId, appName: request.appName, sha });
    return built.image;
  };

  const result = await deployRelease(request, { build });

  await CancellationScope.nonCancellable(async () => {
    await host.discardWorkspace({ deploymentId }).catch(() => undefined);
    // The end is reported only after the start was (even a start that failed part way).
    if (!reported.start || !sha) return;
    await reported.start;
    await github
      .reportDeployFinished({ ...feedback(sha), status: result.status, message: result.message })
      .catch((err) => warn('outcome', err));
  });
  return result;
}
