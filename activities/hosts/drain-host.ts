// The drain's steps (workflows/drain-host.ts): which environments are on the host, move one
// (a deploy through its lane, or a plain re-placement when nothing of it is live), wait for that
// deployment's end, and record the progress the host shows.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { inFlightDeployment } from '../../db/queries/in-flight.js';
import { moveRequest, staticSourceAway } from '../../db/queries/move-request.js';
import { apps, deployments, environments, hosts } from '../../db/schema/index.js';
import type { RequestSite } from '../../src/domain/deploy-request.js';
import { isFinalStatus } from '../../src/domain/deployment.js';
import { moveRefusal } from '../../src/domain/hosts.js';
import type { HostDrain } from '../../src/domain/host-drain.js';
import { permanentFailure } from '../../src/errors.js';
import { submitToLane } from '../../src/temporal/lane-client.js';
import { withHeartbeat } from '../heartbeat.js';

/** How often the wait for a move's end looks at its deployment. */
const DEPLOYMENT_POLL_MS = 500;

export interface PlacedEnvironment {
  id: string;
  /** app/env, as the progress names it. */
  name: string;
}

export function createDrainActivities({ db, temporal, site }: { db: Db; temporal: Client; site: RequestSite }) {
  return {
    async environmentsOnHost(input: { hostId: string }): Promise<PlacedEnvironment[]> {
      const rows = await db
        .select({ id: environments.id, app: apps.name, env: environments.name })
        .from(environments)
        .innerJoin(apps, eq(apps.id, environments.appId))
        // The installation's own host also holds the environments placed nowhere in particular.
        // A spread environment is not moved: its next deploy leaves the draining host out.
        .where(and(isNull(environments.spread), input.hostId === site.hostId ? or(eq(environments.hostId, input.hostId), isNull(environments.hostId)) : eq(environments.hostId, input.hostId)))
        .orderBy(asc(apps.name), asc(environments.name));
      return rows.map((r) => ({ id: r.id, name: `${r.app}/${r.env}` }));
    },

    /**
     * Moves one environment off `from` to `target`; returns the move's deployment, or null when
     * nothing had to be deployed (nothing live: re-placed at once; or already elsewhere).
     * `deploymentId` comes from the workflow, so a retried step queues nothing twice.
     */
    async moveEnvironment(input: { environmentId: string; from: string; target: string | null; deploymentId: string }): Promise<{ deploymentId: string | null }> {
      const [row] = await db.select().from(environments).innerJoin(apps, eq(apps.id, environments.appId)).where(eq(environments.id, input.environmentId));
      if (!row) return { deploymentId: null };
      const { environments: env, apps: app } = row;
      if ((env.hostId ?? site.hostId) !== input.from) return { deploymentId: null };
      const refusal = moveRefusal(app.kind);
      if (refusal) throw permanentFailure('ValidationFailed', refusal);
      // Whatever the lane has queued or running was asked on this host: it ends first (a first
      // deploy re-placed under it would commit on a host the environment no longer names).
      const busy = await inFlightDeployment(db, env.id);
      if (busy) throw permanentFailure('Conflict', `deployment ${busy.id} is queued or running: drain again once it has ended`);
      if (!env.liveReleaseId) {
        await db.update(environments).set({ hostId: input.target, updatedAt: sql`now()` }).where(eq(environments.id, env.id));
        return { deploymentId: null };
      }
      const away = await staticSourceAway(db, app.kind, env, site.hostId);
      if (away) throw permanentFailure('Conflict', away);
      const done = await submitToLane(temporal, await moveRequest(db, site, app, env, input.target, input.deploymentId));
      return { deploymentId: done.deploymentId };
    },

    /** Waits, heartbeating, until the deployment has ended; its status and message. */
    async awaitDeployment(input: { deploymentId: string }): Promise<{ status: string; message: string | null }> {
      return withHeartbeat(async (signal) => {
        for (;;) {
          const [row] = await db.select({ status: deployments.status, message: deployments.message }).from(deployments).where(eq(deployments.id, input.deploymentId));
          if (!row) throw permanentFailure('NotFound', `deployment ${input.deploymentId} is not recorded`);
          if (isFinalStatus(row.status)) return row;
          await sleep(DEPLOYMENT_POLL_MS, undefined, { signal });
        }
      });
    },

    async recordDrain(input: { hostId: string; drain: HostDrain }): Promise<void> {
      await db.update(hosts).set({ drain: input.drain, updatedAt: sql`now()` }).where(eq(hosts.id, input.hostId));
    },
  };
}
