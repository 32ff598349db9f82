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
/** A redelivery of the same GitHub delivery finds the intake workflow that already ran. */
export function deliveryWorkflowId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}

/**
 * The intake key of a delivery: deliveries of one repository (on one git host) go to one
 * long-lived intake workflow, in batches, instead of a workflow each.
 */
export function intakeKey(gitHostId: string | null, repository: string | null): string {
  return `${gitHostId ?? 'github'}:${(repository ?? '-').slice(0, 300)}`;
}

/**
 * Workflow ids are not encrypted like payloads: the repository's name stays out of Temporal, as
 * a 53-bit hash of the key (two keys sharing one would only share a workflow; the key itself
 * travels in the encrypted input). Pure arithmetic: workflows import this module.
 */
export function intakeWorkflowId(key: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `intake-${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}`;
}

/** One lifecycle per pull request of an app: deploys, idle timer, teardown. */
export function previewWorkflowId(appId: string, pullRequest: number): string {
  return `preview-${appId}-${pullRequest}`;
}

export function repositorySyncWorkflowId(installationId: number | null): string {
  return installationId === null ? 'github-repository-sync' : `github-repository-sync-${installationId}`;
}

/** The Temporal Schedule that syncs every installation's repositories. */
export const REPOSITORY_SYNC_SCHEDULE_ID = 'berth-github-repository-sync';
/** A stack deployment runs each service as a child workflow of its own. */
export function stackServiceWorkflowId(deploymentId: string, service: string): string {
  return `${deployWorkflowId(deploymentId)}-${service}`;
}

/** One delivery of one notification (its message id): a second start for it is refused. */
export function notificationWorkflowId(messageId: string): string {
  return `notification-${messageId}`;
}

/** The scheduled pruning of old history rows runs one at a time under this id. */
export const PRUNE_HISTORY_WORKFLOW_ID = 'prune-history';
export const CHECK_CERTIFICATES_WORKFLOW_ID = 'check-certificates';
/** One key rotation at a time. */
export const SECRET_KEY_ROTATION_WORKFLOW_ID = 'secret-key-rotation';
