// Where an environment is placed at the moment its deployment starts. A request carries the
// placement it was made under; a move that committed while the request waited in the lane (a
// git push planned during the move) changed it, and the lane runs the request where the
// environment is now (workflows/lane-placement.ts).
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { environments } from '../../db/schema/index.js';

export function createPlacementActivities({ db, hostId }: { db: Db; hostId: string }) {
  return {
    /** The host the environment is placed on now (its own, or the installation's); null once it is removed. */
    async environmentPlacement(input: { environmentId: string }): Promise<{ hostId: string } | null> {
      const [row] = await db.select({ hostId: environments.hostId }).from(environments).where(eq(environments.id, input.environmentId));
      return row ? { hostId: row.hostId ?? hostId } : null;
    },
  };
}
