// How the API reads and moves a deployment's canary: a query and four updates on its deploy
// workflow. A deployment that runs no canary (or has not reached it, or has ended) answers
// `{ refused }` rather than an error, so the API can say 409 with the reason.
import { QueryNotRegisteredError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { CanaryAction, CanaryState } from '../domain/canary.js';
import {
  abortCanaryUpdate,
  canaryStateQuery,
  pauseCanaryUpdate,
  promoteCanaryUpdate,
  resumeCanaryUpdate,
  type CanaryCommand,
} from '../domain/workflow-definitions.js';
import { deployWorkflowId } from '../domain/workflow-ids.js';
import { boundedQuery } from './bounded-query.js';

const UPDATES = { promote: promoteCanaryUpdate, pause: pauseCanaryUpdate, resume: resumeCanaryUpdate, abort: abortCanaryUpdate } as const;
const NO_CANARY = 'the deployment runs no canary now';

export type CanaryAnswer = { state: CanaryState } | { refused: string };

export async function readCanary(temporal: Client, deploymentId: string): Promise<CanaryAnswer> {
  try {
    const handle = temporal.workflow.getHandle(deployWorkflowId(deploymentId));
    return { state: await boundedQuery(temporal, `deployment ${deploymentId}'s workflow`, () => handle.query(canaryStateQuery)) };
  } catch (err) {
    if (err instanceof QueryNotRegisteredError || err instanceof WorkflowNotFoundError) return { refused: NO_CANARY };
    throw err;
  }
}

export async function moveCanary(temporal: Client, deploymentId: string, action: CanaryAction, command: CanaryCommand): Promise<CanaryAnswer> {
  try {
    return { state: await temporal.workflow.getHandle(deployWorkflowId(deploymentId)).executeUpdate(UPDATES[action], { args: [command] }) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { refused: NO_CANARY };
    // Refused by the workflow's validator (the reason), or no handler: no canary running.
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause?.message ?? '';
      return { refused: /no registered handler|not found/i.test(cause) || !cause ? NO_CANARY : cause };
    }
    throw err;
  }
}
