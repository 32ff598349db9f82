// Where an environment is placed at the moment its deployment starts. A request carries the
// placement it was made under; a move that committed while the request waited in the lane (a
// git push planned during the move) changed it, and the lane runs the request where the
// environment is now (workflows/lane-placement.ts).
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { environments } from '../../db/schema/index.js';
import { spreadPlanFor } from '../../db/queries/spread-hosts.js';
import type { SpreadPlan } from '../../src/domain/spread.js';
import type { HostSwarm } from '../../src/domain/host-swarm.js';
import { recordHostSwarm } from '../../db/queries/hosts.js';

export function createPlacementActivities({ db, hostId }: { db: Db; hostId: string }) {
  return {
    /** What a join or leave of the Swarm ended with, for GET /hosts (workflows/swarm-membership.ts). */
    async recordHostSwarm(input: { hostId: string; swarm: HostSwarm | null }): Promise<void> {
      await recordHostSwarm(db, input.hostId, input.swarm);
    },
    /**
     * The host the environment is placed on now (its own, or the installation's), and for a
     * spread environment the hosts its next deploy runs on, chosen now; null once it is removed.
     */
    async environmentPlacement(input: { environmentId: string }): Promise<{ hostId: string; spread?: SpreadPlan } | null> {
      const [row] = await db.select({ hostId: environments.hostId, spread: environments.spread }).from(environments).where(eq(environments.id, input.environmentId));
      if (!row) return null;
      const placed = { hostId: row.hostId ?? hostId };
      if (!row.spread) return placed;
      const spread = await spreadPlanFor(db, input.environmentId, hostId);
      return spread ? { ...placed, spread } : placed;
    },
  };
}
