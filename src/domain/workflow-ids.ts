// Workflow ids derive from the entity they act for, so a repeat request finds the same run.

export function laneWorkflowId(environmentId: string): string {
  return `lane-${environmentId}`;
}

export function deployWorkflowId(deploymentId: string): string {
  return `deploy-${deploymentId}`;
}
