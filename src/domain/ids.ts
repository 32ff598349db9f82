// Identifier shapes. New ids are minted outside workflows (src/ids.ts); ids that derive from
// another are computed here so a workflow can compute them deterministically.

export const ID_PATTERN = /^[a-z]{2,4}_[0-9a-z]{10,32}$/;

/** A deploy's release is created once, so its id follows from the deployment's. */
export function releaseIdFor(deploymentId: string): string {
  return `rel_${deploymentId.slice(deploymentId.indexOf('_') + 1)}`;
}
