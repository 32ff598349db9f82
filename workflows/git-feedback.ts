// What a deployment of a GitHub commit tells GitHub (apps of kind git and git-backed stacks):
// commit status pending and a GitHub Deployment in progress once the commit is known, success
// or failure when the deployment ends. Feedback never decides the deployment's outcome: a
// GitHub outage costs a warning in the log, nothing more.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { DeployRequest, DeployResult, GitSource } from '../src/domain/deployment.js';
import { GITHUB, STORE } from './activity-profiles.js';
import { describeFailure } from './failure.js';

export interface GitFeedback {
  /** The commit is known: report the start (once; later calls do nothing). */
  started(sha: string): void;
  /** The deployment ended: report its outcome, only after the start was reported. */
  finished(result: DeployResult): Promise<void>;
}

export function gitFeedback(request: DeployRequest, source: GitSource): GitFeedback {
  const github = proxyActivities<ControlActivities>(GITHUB);
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const { deploymentId } = request;
  const reportsToGitHub = source.feedback !== null && source.repository !== null && source.installationId !== null;
  // A Gitea/Forgejo connection's commit: a commit status there (it has no deployments to mirror).
  const reportsToHost = source.feedback !== null && source.repository !== null && !!source.gitHostId;
  const feedback = (commit: string) => ({ deploymentId, appName: request.appName, environmentName: request.environmentName, source, sha: commit });
  const warn = (what: string, err: unknown) =>
    store.noteFeedbackFailure({ deploymentId, message: `${reportsToHost ? 'Git host' : 'GitHub'} ${what} not reported: ${describeFailure(err).message}` }).catch(() => undefined);
  let start: Promise<boolean> | null = null;
  let reportedSha: string | null = null;

  return {
    started(sha) {
      if ((!reportsToGitHub && !reportsToHost) || start) return;
      reportedSha = sha;
      const report = reportsToHost ? github.reportHostCommitStatus(feedback(sha)) : github.reportDeployStarted(feedback(sha));
      start = report.then(
        () => true,
        async (err) => {
          await warn('start', err);
          return false;
        },
      );
    },
    async finished(result) {
      // The end is reported only after the start was (even a start that failed part way).
      if (!start || !reportedSha) return;
      await start;
      const outcome = { ...feedback(reportedSha), status: result.status, message: result.message };
      await (reportsToHost ? github.reportHostCommitStatus(outcome) : github.reportDeployFinished(outcome)).catch((err) => warn('outcome', err));
    },
  };
}
