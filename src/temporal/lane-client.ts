// How a request reaches an environment's lane: update-with-start, so the first request creates
// the lane and every request is answered once the lane has recorded it. Used by the API and by
// activities (deploys a webhook or a preview asks for).
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { DeployRequest } from '../domain/deployment.js';
import { APP_NAME, ENVIRONMENT_NAME } from '../domain/search-attributes.js';
import { CONTROL_TASK_QUEUE } from '../domain/task-queues.js';
import { requestDeployUpdate, type DeployAccepted } from '../domain/workflow-definitions.js';
import { laneWorkflowId } from '../domain/workflow-ids.js';

export async function submitToLane(temporal: Client, request: DeployRequest): Promise<DeployAccepted> {
  const start = new WithStartWorkflowOperation('environmentLane', {
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
