// Workflow ids derive from the entity they act for, so a repeat request finds the same run.

export function laneWorkflowId(environmentId: string): string {
  return `lane-${environmentId}`;
}

export function deployWorkflowId(deploymentId: string): string {
  return `deploy-${deploymentId}`;
}

/** A stack deployment runs each service as a child workflow of its own. */
export function stackServiceWorkflowId(deploymentId: string, service: string): string {
  return `${deployWorkflowId(deploymentId)}-${service}`;
}
