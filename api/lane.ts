// How the API asks an environment's lane for work: update-with-start, so the first request
// creates the lane and every request is answered once the lane has recorded it.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { cancelDeploymentUpdate, laneStateQuery, type CancelOutcome, type LaneState } from '../src/domain/workflow-definitions.js';
import { laneWorkflowId } from '../src/domain/workflow-ids.js';

export { submitToLane } from '../src/temporal/lane-client.js';

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
    return await temporal.workflow.getHandle(laneWorkflowId(environmentId)).query(laneStateQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { environmentId, current: null, queued: [], completed: 0 };
    throw err;
  }
}
