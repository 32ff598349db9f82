// Deployment requests and their lifecycle.

export type DeploymentStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'superseded';

export const FINAL_STATUSES: readonly DeploymentStatus[] = ['succeeded', 'failed', 'cancelled', 'superseded'];

export function isFinalStatus(status: DeploymentStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** A teardown removes what the environment runs (stacks: services, networks, secrets, routes). */
export type DeployRequestKind = 'deploy' | 'rollback' | 'teardown';

export type QueuePolicy = 'latest-wins' | 'fifo';

export type AppKind = 'image' | 'git' | 'static' | 'stack';

/** A request the environment lane runs: everything the deploy workflow needs, no secrets. */
export interface DeployRequest {
  deploymentId: string;
  kind: DeployRequestKind;
  /** Decides which workflow the lane runs for it (workflows/deploy-workflows.ts). */
  appKind: AppKind;
  appId: string;
  appName: string;
  environmentId: string;
  environmentName: string;
  trigger: string;
  /** For kind "deploy": the image reference (tag or digest) to release. */
  image?: string;
  /** For kind "rollback": the release to make live again. */
  releaseId?: string;
  /** Environment settings as they were when the request was made. */
  queuePolicy: QueuePolicy;
  cancelSuperseded: boolean;
  retention: number;
  drainSeconds: number;
  /** Host names the environment answers on. */
  hosts: string[];
  /** The Docker host that runs it (its activities go to task queue berth.host.<id>). */
  hostId: string;
}

/** What a deploy workflow returns when it ends. */
export interface DeployResult {
  deploymentId: string;
  status: DeploymentStatus;
  releaseId: string | null;
  message: string | null;
  errorType: string | null;
}
