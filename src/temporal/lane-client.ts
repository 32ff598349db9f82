// How Berth asks an environment's lane for work (the API, and reconcile cancelling stuck work):
// update-with-start, so the first request creates the lane and every request is answered once
// the lane has recorded it.
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DeployRequest } from '../domain/deployment.js';
import { APP_NAME, ENVIRONMENT_NAME } from '../domain/search-attributes.js';
import { CONTROL_TASK_QUEUE } from '../domain/task-queues.js';
import {
  cancelDeploymentUpdate,
  laneStateQuery,
  requestDeployUpdate,
  type CancelOutcome,
  type DeployAccepted,
  type LaneState,
} from '../domain/workflow-definitions.js';
import { WORKFLOWS, type WorkflowFunction } from '../domain/workflow-contracts.js';
import { laneWorkflowId } from '../domain/workflow-ids.js';
import { boundedQuery } from './bounded-query.js';

type Lane = WorkflowFunction<typeof WORKFLOWS.environmentLane>;

export async function submitToLane(temporal: Client, request: DeployRequest): Promise<DeployAccepted> {
  const start = new WithStartWorkflowOperation<Lane>(WORKFLOWS.environmentLane.type, {
    workflowId: laneWorkflowId(request.environmentId),
    taskQueue: CONTROL_TASK_QUEUE,
    args: [{ environmentId: request.environmentId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: APP_NAME, value: request.appName },
      { key: ENVIRONMENT_NAME, value: request.environmentName },
    ],
    staticSummary: `deploy lane of ${request.appName}/${request.environmentName}`,
  });
  // The deployment id doubles as the update id, so a retried request is not queued twice.
  return temporal.workflow.executeUpdateWithStart(requestDeployUpdate, {
    args: [request],
    updateId: request.deploymentId,
    startWorkflowOperation: start,
  });
}

export async function cancelInLane(temporal: Client, environmentId: string, deploymentId: string): Promise<CancelOutcome> {
  try {
    return await temporal.workflow.getHandle(laneWorkflowId(environmentId)).executeUpdate(cancelDeploymentUpdate, { args: [{ deploymentId }] });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: 'not-found' };
    throw err;
  }
}

export async function readLane(temporal: Client, environmentId: string): Promise<LaneState> {
  try {
    const handle = temporal.workflow.getHandle(laneWorkflowId(environmentId));
    return await boundedQuery(temporal, `environment ${environmentId}'s deploy lane`, () => handle.query(laneStateQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { environmentId, current: null, queued: [], completed: 0 };
    throw err;
  }
}
