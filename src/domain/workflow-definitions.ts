// Signals, queries and updates of Berth's workflows, declared once and shared by the workflows
// and their callers. Their names are durable public API: renaming one breaks running workflows.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeployRequest, DeploymentStatus } from './deployment.js';
import type { PhaseRecord } from './phases.js';

export interface DeployAccepted {
  deploymentId: string;
  workflowId: string;
}

export type CancelOutcome = { status: 'cancelled' } | { status: 'cancelling' } | { status: 'not-found' };

export interface LaneState {
  environmentId: string;
  current: DeployRequest | null;
  queued: DeployRequest[];
  completed: number;
}

export interface AbortReason {
  kind: 'cancelled' | 'superseded';
  by?: string | undefined;
}

export interface DeployProgress {
  deploymentId: string;
  status: DeploymentStatus;
  releaseId: string | null;
  phases: PhaseRecord[];
}

/** Ask the environment's lane to run a deploy or rollback; answers once it is recorded. */
export const requestDeployUpdate = defineUpdate<DeployAccepted, [DeployRequest]>('requestDeploy');
/** Cancel a queued or running deployment of the environment. */
export const cancelDeploymentUpdate = defineUpdate<CancelOutcome, [{ deploymentId: string }]>('cancelDeployment');
export const laneStateQuery = defineQuery<LaneState>('laneState');

/** From the lane to a running deploy: stop before traffic moves, undo, end with this reason. */
export const abortDeploySignal = defineSignal<[AbortReason]>('abortDeploy');
export const deployProgressQuery = defineQuery<DeployProgress>('progress');

/** From a stack service's rollout to its parent: its containers run (what service_started waits for). */
export const serviceStartedSignal = defineSignal<[string]>('serviceStarted');
