// Workflow ids derive from the entity they act for, so a repeat request finds the same run.

export function laneWorkflowId(environmentId: string): string {
  return `lane-${environmentId}`;
}

export function deployWorkflowId(deploymentId: string): string {
  return `deploy-${deploymentId}`;
}

export function reconcileEnvironmentWorkflowId(environmentId: string): string {
  return `reconcile-${environmentId}`;
}

/** The scheduled full reconcile and image cleanup run one at a time under these ids. */
export const RECONCILE_ALL_WORKFLOW_ID = 'reconcile-all';
export const CLEANUP_WORKFLOW_ID = 'prune-unused-images';
