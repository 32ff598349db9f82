// How Berth hands a pull-request event to its preview's lifecycle (the intake workflow's
// activity, and the API when a deployer approves a fork's commit): signal-with-start, so the
// first event starts the lifecycle and every event reaches it once.
import type { Client } from '@temporalio/client';
import type { PreviewTarget } from '../domain/preview.js';
import { WORKFLOWS } from '../domain/workflow-contracts.js';
import { pullRequestSignal, type PullRequestEvent } from '../domain/workflow-definitions.js';
import { previewWorkflowId } from '../domain/workflow-ids.js';
import { signalWithStart } from './workflow-starts.js';

export async function signalPreview(temporal: Client, target: PreviewTarget, event: PullRequestEvent): Promise<{ workflowId: string }> {
  const workflowId = previewWorkflowId(target.appId, target.number);
  await signalWithStart(temporal, WORKFLOWS.previewLifecycle, pullRequestSignal, {
    workflowId,
    args: [target],
    signalArgs: [event],
    staticSummary: `preview of ${target.appName} for pull request #${target.number}`,
  });
  return { workflowId };
}
