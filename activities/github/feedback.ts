// Feedback to GitHub for a deployment built from a GitHub commit: a commit status (pending →
// success/failure, linking to the Berth deployment) and a GitHub Deployment with its statuses
// (in_progress → success/failure, with the environment and log URLs). The Deployment is made
// once per Berth deployment: its id is kept, and a retry whose first try made it but lost the
// answer finds it on GitHub by the Berth deployment id in its payload.
import { Context } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { githubDeployments } from '../../db/schema/index.js';
import type { DeploymentStatus, GitSource } from '../../src/domain/deployment.js';
import { deploymentLinks, statusContext } from '../../src/domain/git-build.js';
import { permanentFailure } from '../../src/errors.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { githubStatus, type GitHubClient } from './github-client.js';

export interface FeedbackInput {
  deploymentId: string;
  appName: string;
  environmentName: string;
  source: GitSource;
  sha: string;
}

type CommitState = 'pending' | 'success' | 'failure' | 'error';
type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

const DESCRIPTION_MAX = 140;

/** How each final deployment status reads on GitHub. */
export function githubStates(status: DeploymentStatus): { commit: CommitState; deployment: DeploymentState } {
  if (status === 'succeeded') return { commit: 'success', deployment: 'success' };
  if (status === 'failed') return { commit: 'failure', deployment: 'failure' };
  return { commit: 'error', deployment: 'error' };
}

/** The Berth deployment a GitHub Deployment was made for (its payload, an object or JSON text). */
function berthDeploymentOf(payload: unknown): string | null {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const id = (value as { berthDeploymentId?: unknown } | null)?.berthDeploymentId;
  return typeof id === 'string' ? id : null;
}

export function createFeedbackActivities({ db, github, deploymentLog }: { db: Db; github: GitHubClient; deploymentLog: DeploymentLog }) {
  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const status = githubStatus(err);
      // 4xx (but rate limits) will not change on a retry.
      if (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408) {
        throw permanentFailure('GitHubRequestFailed', `GitHub refused ${what} (HTTP ${status})`);
      }
      throw err;
    }
  }

  function target(input: FeedbackInput) {
    const [owner, repo] = (input.source.repository as string).split('/') as [string, string];
    const feedback = input.source.feedback;
    if (!feedback || input.source.installationId === null) throw permanentFailure('ValidationFailed', 'deployment has no GitHub feedback target');
    return { owner, repo, feedback, installationId: input.source.installationId, links: deploymentLinks(feedback.publicUrl, input.deploymentId) };
  }

  async function commitStatus(input: FeedbackInput, state: CommitState, description: string) {
    const t = target(input);
    const octokit = await github.installation(t.installationId);
    await call('the commit status', () =>
      octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
        owner: t.owner,
        repo: t.repo,
        sha: input.sha,
        state,
        target_url: t.links.targetUrl,
        description: description.slice(0, DESCRIPTION_MAX),
        context: statusContext(input.appName, input.environmentName),
      }),
    );
  }

  async function deploymentStatus(input: FeedbackInput, githubDeploymentId: number, state: DeploymentState, description: string) {
    const t = target(input);
    const octokit = await github.installation(t.installationId);
    await call('the deployment status', () =>
      octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        owner: t.owner,
        repo: t.repo,
        deployment_id: githubDeploymentId,
        state,
        log_url: t.links.logUrl,
        environment_url: t.feedback.environmentUrl,
        description: description.slice(0, DESCRIPTION_MAX),
        auto_inactive: !t.feedback.transient,
      }),
    );
  }

  async function knownDeployment(deploymentId: string): Promise<number | null> {
    const [row] = await db.select().from(githubDeployments).where(eq(githubDeployments.deploymentId, deploymentId));
    return row?.githubDeploymentId ?? null;
  }

  /** A GitHub Deployment made for this Berth deployment by a try whose answer was lost (or that crashed before saving it). */
  async function findDeployment(input: FeedbackInput): Promise<number | null> {
    const t = target(input);
    const octokit = await github.installation(t.installationId);
    const res = await call('the deployments list', () =>
      octokit.request('GET /repos/{owner}/{repo}/deployments', { owner: t.owner, repo: t.repo, sha: input.sha, environment: input.environmentName, per_page: 100 }),
    );
    return (res.data as { id: number; payload: unknown }[]).find((d) => berthDeploymentOf(d.payload) === input.deploymentId)?.id ?? null;
  }

  async function createDeployment(input: FeedbackInput): Promise<number> {
    const t = target(input);
    const octokit = await github.installation(t.installationId);
    const res = await call('the deployment', () =>
      octokit.request('POST /repos/{owner}/{repo}/deployments', {
        owner: t.owner,
        repo: t.repo,
        ref: input.sha,
        environment: input.environmentName,
        description: `Berth deployment ${input.deploymentId}`,
        auto_merge: false,
        // Berth deploys what it was asked to; the checks of other systems are theirs to report.
        required_contexts: [],
        payload: { berthDeploymentId: input.deploymentId },
        production_environment: t.feedback.production,
        transient_environment: t.feedback.transient,
      }),
    );
    return (res.data as { id: number }).id;
  }

  /** Keeps the id; a concurrent try that saved first wins. */
  async function saveDeployment(input: FeedbackInput, githubDeploymentId: number): Promise<number> {
    await db
      .insert(githubDeployments)
      .values({ deploymentId: input.deploymentId, repository: input.source.repository as string, sha: input.sha, environment: input.environmentName, githubDeploymentId })
      .onConflictDoNothing();
    return (await knownDeployment(input.deploymentId)) ?? githubDeploymentId;
  }

  return {
    /** Commit status pending, the GitHub Deployment (once), its status in_progress. */
    async reportDeployStarted(input: FeedbackInput): Promise<{ githubDeploymentId: number }> {
      await commitStatus(input, 'pending', `Deploying to ${input.environmentName}`);
      // Only a retry can have made the Deployment already: the first try asks GitHub nothing more.
      const retried = Context.current().info.attempt > 1;
      const id =
        (await knownDeployment(input.deploymentId)) ??
        (await saveDeployment(input, (retried ? await findDeployment(input) : null) ?? (await createDeployment(input))));
      await deploymentStatus(input, id, 'in_progress', 'Building and deploying');
      return { githubDeploymentId: id };
    },

    /** The deployment's outcome: its GitHub Deployment status, then the commit status. */
    async reportDeployFinished(input: FeedbackInput & { status: DeploymentStatus; message: string | null }): Promise<void> {
      const states = githubStates(input.status);
      const id = await knownDeployment(input.deploymentId);
      const text = input.message ?? input.status;
      if (id !== null) await deploymentStatus(input, id, states.deployment, text);
      await commitStatus(input, states.commit, text);
    },

    /** Feedback that could not be given is a warning in the deployment's log. */
    async noteFeedbackFailure(input: { deploymentId: string; message: string }): Promise<void> {
      await deploymentLog.write(input.deploymentId, 'warn', null, input.message.slice(0, 1000));
    },

    /** A preview removed: its GitHub Deployments go inactive. */
    async reportEnvironmentRemoved(input: FeedbackInput): Promise<void> {
      const id = await knownDeployment(input.deploymentId);
      if (id !== null) await deploymentStatus(input, id, 'inactive', 'Preview removed');
    },
  };
}
