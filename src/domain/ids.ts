// Identifier shapes. New ids are minted outside workflows (src/ids.ts); ids that derive from
// another are computed here so a workflow can compute them deterministically.

export const ID_PATTERN = /^[a-z]{2,4}_[0-9a-z]{10,32}$/;

/** A deploy's release is created once, so its id follows from the deployment's. */
export function releaseIdFor(deploymentId: string): string {
  return `rel_${deploymentId.slice(deploymentId.indexOf('_') + 1)}`;
}

/**
 * A new id from a clock and a random source: the time in base 36 (so ids sort by creation) and
 * random characters. Workflows pass their deterministic Date.now and Math.random.
 */
export function mintId(prefix: string, now: number, random: () => number): string {
  const time = now.toString(36).padStart(9, '0');
  let tail = '';
  for (let i = 0; i < 10; i++) tail += Math.floor(random() * 36).toString(36);
  return `${prefix}_${time}${tail}`;
}
