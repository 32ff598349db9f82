// A host's id: the name of its task queue (berth.host.<id>) and of its row, as BERTH_HOST_ID says it.
export const HOST_ID = /^[a-z0-9][a-z0-9-]{0,30}$/;

/**
 * Why a deployed environment of this kind cannot move to another host by a deploy, or null.
 * A move redeploys the live release there (a static site's files are carried from the old host).
 */
export function moveRefusal(appKind: string): string | null {
  if (appKind === 'stack') return "a stack runs on the installation's own host only (its Swarm): it does not move";
  return null;
}
