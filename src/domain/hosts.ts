// A host's id: the name of its task queue (berth.host.<id>) and of its row, as BERTH_HOST_ID says it.
export const HOST_ID = /^[a-z0-9][a-z0-9-]{0,30}$/;

/**
 * Why a deployed environment of this kind cannot move to another host by a deploy, or null.
 * A move redeploys the live release there; a static site's release is files on the old host's
 * disk (its archive is gone once unpacked), so redeploying it elsewhere would fail its switch.
 */
export function moveRefusal(appKind: string): string | null {
  if (appKind === 'stack') return "a stack runs on the installation's own host only (its Swarm): it does not move";
  if (appKind === 'static') return "a deployed static site does not move by a deploy yet (its release's files are on the host it runs on): deploy its archive again after placing it (docs/operations.md#moving-and-draining)";
  return null;
}
