// Signals, queries and updates of Berth's workflows, declared once and shared by the workflows
// and their callers. Their names are durable public API: renaming one breaks running workflows.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CanaryState } from './canary.js';
import type { DeployRequest, DeploymentStatus } from './deployment.js';
import type { PhaseRecord } from './phases.js';
import type { KeyRotationProgress } from './key-rotation.js';

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

/** Who asks a canary to move, and why (an abort's reason is recorded with the deployment). */
export interface CanaryCommand {
  by?: string | undefined;
  reason?: string | undefined;
}
/** A running canary's state (deployments with a canary only). */
export const canaryStateQuery = defineQuery<CanaryState>('canaryState');
/** Straight to 100 %, skipping the steps left. */
export const promoteCanaryUpdate = defineUpdate<CanaryState, [CanaryCommand]>('promoteCanary');
/** The current step's timer stops (the analysis goes on and may still abort). */
export const pauseCanaryUpdate = defineUpdate<CanaryState, [CanaryCommand]>('pauseCanary');
export const resumeCanaryUpdate = defineUpdate<CanaryState, [CanaryCommand]>('resumeCanary');
/** Traffic back on the stable release; the deployment ends failed with the reason. */
export const abortCanaryUpdate = defineUpdate<CanaryState, [CanaryCommand]>('abortCanary');

/** Reconcile this environment again once the current pass ends (something changed meanwhile). */
export const recheckSignal = defineSignal('recheck');
/** A pull-request event for a preview's lifecycle workflow. */
export interface PullRequestEvent {
  /** "approved": a deployer approved a fork's head commit (API or label). */
  action: 'opened' | 'synchronize' | 'reopened' | 'closed' | 'approved';
  headSha: string;
  head: string;
  installationId: number | null;
  /** The deployment to start for it (minted by the intake workflow); null for closed. */
  deploymentId: string | null;
  deliveryId: string;
  /** The head is in a fork: the preview environment gets no secrets (absent in older events: false). */
  untrusted?: boolean;
}

/** From the intake workflow to preview-<app>-<number>: deploy this head, or tear down. */
export const pullRequestSignal = defineSignal<[PullRequestEvent]>('pullRequest');
/** From the dispatcher to intake-<hash of host and repository>: stored deliveries to handle (ids). */
export const deliveriesSignal = defineSignal<[string[]]>('deliveries');
/** From a stack service's rollout to its parent: its containers run (what service_started waits for). */
export const serviceStartedSignal = defineSignal<[string]>('serviceStarted');
/** How far a key rotation has come. */
export const keyRotationProgressQuery = defineQuery<KeyRotationProgress>('keyRotationProgress');
