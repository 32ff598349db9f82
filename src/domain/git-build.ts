// Names and shapes of builds from source, shared by the build activities and the workflows.

/** Images built from source are tagged by instance, app and commit. */
/** The repository prefix of every image an installation builds (its tags start with it). */
export function builtImagePrefix(instance: string): string {
  return `berth-${instance}/`;
}

export function builtImageTag(instance: string, appName: string, sha: string): string {
  return `${builtImagePrefix(instance)}${appName}:${sha}`;
}

export const SHA_PATTERN = /^[0-9a-f]{40}$/;

/** The GitHub commit-status context of an app's environment. */
export function statusContext(appName: string, environmentName: string): string {
  return `berth/${appName}/${environmentName}`;
}

/** Links GitHub shows next to a deployment. */
export function deploymentLinks(publicUrl: string, deploymentId: string): { targetUrl: string; logUrl: string } {
  const page = `${publicUrl}/api/v1/deployments/${deploymentId}`;
  return { targetUrl: page, logUrl: `${page}/logs` };
}

/** Where a webhook delivery's outcome is read (a refused commit's status links there). */
export function deliveryLink(publicUrl: string, deliveryId: string): string {
  return `${publicUrl}/api/v1/github/deliveries/${encodeURIComponent(deliveryId)}`;
}

/** Where a build secret is sealed: the API seals, the build opens, with this context. */
export function buildSecretContext(appId: string, name: string): string {
  return `build-secret:${appId}:${name}`;
}

/** Services of a stack built from its repository are tagged by instance, app, service and commit. */
export function builtServiceImageTag(instance: string, appName: string, service: string, sha: string): string {
  return `berth-${instance}/${appName}/${service}:${sha}`;
}

/** Where a stack's compose file is in its repository when the app does not say. */
export const DEFAULT_COMPOSE_FILE = 'compose.yml';
