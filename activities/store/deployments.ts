// Deployment state writes: the lane's queue decisions and the deploy workflow's progress.
// Each write is idempotent, so a retried or replayed local activity changes nothing twice.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deploymentPhases, deploymentServicePhases, deployments, environments, releases } from '../../db/schema/index.js';
import type { DeploymentStatus, DeployRequest } from '../../src/domain/deployment.js';
import type { PhaseOutcome, PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import type { SpreadShare } from '../../src/domain/spread.js';
import { deployWorkflowId } from '../../src/domain/workflow-ids.js';

/** Records phase changes (idempotent upserts) and, when asked, that the deployment runs. */
export async function recordReport(db: Db, report: PhaseReport): Promise<void> {
  const first = report.phases[0];
  // Different tables: side by side, each one a round trip on every deploy's path.
  await Promise.all([
    report.running
      ? db
          .update(deployments)
          .set({ status: 'running', startedAt: new Date(first?.at ?? Date.now()) })
          .where(and(eq(deployments.id, report.deploymentId), eq(deployments.status, 'queued')))
      : null,
    report.service !== undefined ? recordServicePhases(db, report.deploymentId, report.service, report.phases) : recordPhases(db, report.deploymentId, report.phases),
  ]);
}

/**
 * One statement for a report's phases. A phase written twice in one report (started, then
 * ended) is one row: started at its first write, ended as its last one says; as the writes one
 * after another would leave it (an existing row keeps its start).
 */
async function recordPhases(db: Db, deploymentId: string, writes: PhaseWrite[]): Promise<void> {
  const rows = new Map<string, typeof deploymentPhases.$inferInsert>();
  for (const w of writes) {
    const at = new Date(w.at);
    const ended = w.outcome === 'running' ? null : at;
    const seen = rows.get(w.phase);
    rows.set(w.phase, { deploymentId, phase: w.phase, startedAt: seen?.startedAt ?? at, endedAt: ended, outcome: w.outcome, message: w.message ?? null });
  }
  if (rows.size === 0) return;
  await db
    .insert(deploymentPhases)
    .values([...rows.values()])
    .onConflictDoUpdate({
      target: [deploymentPhases.deploymentId, deploymentPhases.phase],
      set: { endedAt: sql`excluded.ended_at`, outcome: sql`excluded.outcome`, message: sql`excluded.message` },
      setWhere: notReopening(deploymentPhases),
    });
}

/**
 * A phase that has ended is made running again only by a write started after that end (a
 * retried step doing it again). A write can land after later ones: a local activity's attempt
 * that timed out while the database was away may have its statement held by the driver and
 * sent once the database is back, after the retry's write and the phase's end (it left a
 * succeeded deployment with a phase "running"). Ends always apply: they come from the step or
 * workflow that owns the phase, on clocks of different machines.
 */
function notReopening(table: typeof deploymentPhases | typeof deploymentServicePhases) {
  return sql`(excluded.outcome <> 'running' or ${table.outcome} = 'running' or excluded.started_at > ${table.endedAt})`;
}

async function recordServicePhases(db: Db, deploymentId: string, service: string, writes: PhaseWrite[]): Promise<void> {
  for (const w of writes) {
    const at = new Date(w.at);
    const ended = w.outcome === 'running' ? null : at;
    await db
      .insert(deploymentServicePhases)
      .values({ deploymentId, service, phase: w.phase, startedAt: at, endedAt: ended, outcome: w.outcome, message: w.message ?? null })
      .onConflictDoUpdate({
        target: [deploymentServicePhases.deploymentId, deploymentServicePhases.service, deploymentServicePhases.phase],
        set: { endedAt: ended, outcome: w.outcome, message: w.message ?? null },
        setWhere: notReopening(deploymentServicePhases),
      });
  }
}

export function createDeploymentStore(db: Db) {
  const writePhases = (deploymentId: string, phases: PhaseWrite[]) => recordReport(db, { deploymentId, phases });

  return {
    /** Records a request the lane accepted; the deployment is visible from here on. */
    async enqueueDeployment(input: { request: DeployRequest; at: number }): Promise<void> {
      const r = input.request;
      await db
        .insert(deployments)
        .values({
          id: r.deploymentId,
          appId: r.appId,
          environmentId: r.environmentId,
          kind: r.kind,
          trigger: r.trigger,
          request: r.kind === 'rollback' ? { releaseId: r.releaseId, ...(r.move ? { move: r.move } : {}) } : r.artifact ? { artifact: r.artifact } : r.image ? { image: r.image } : {},
          status: 'queued',
          workflowId: deployWorkflowId(r.deploymentId),
          createdAt: new Date(input.at),
        })
        .onConflictDoNothing();
      await writePhases(r.deploymentId, [{ phase: 'queued', outcome: 'running', at: input.at }]);
    },

    /** Ends queued requests that will never run (superseded by a newer one, or cancelled). */
    async dropQueued(input: { deploymentIds: string[]; status: 'superseded' | 'cancelled'; by?: string; at: number }): Promise<void> {
      if (input.deploymentIds.length === 0) return;
      await db
        .update(deployments)
        .set({
          status: input.status,
          supersededBy: input.by ?? null,
          message: input.by ? `superseded by ${input.by}` : 'cancelled while queued',
          finishedAt: new Date(input.at),
        })
        .where(and(inArray(deployments.id, input.deploymentIds), eq(deployments.status, 'queued')));
      for (const id of input.deploymentIds) {
        await writePhases(id, [{ phase: 'queued', outcome: input.status === 'superseded' ? 'skipped' : 'cancelled', at: input.at }]);
      }
    },

    async recordPhases(report: PhaseReport): Promise<void> {
      await recordReport(db, report);
    },

    /** The new release serves traffic: the environment says so from here on. */
    /** The release is live; a move's commit also places the environment on its new host, in the same write. */
    async markLive(input: { environmentId: string; releaseId: string; deploymentId: string; placeHostId?: string | null; spreadHosts?: SpreadShare[] }): Promise<void> {
      const placed = input.placeHostId !== undefined ? { hostId: input.placeHostId } : {};
      // A spread deploy's hosts, for reconcile: written before it is live, so a live spread release always has them.
      if (input.spreadHosts) await db.update(deployments).set({ spreadHosts: input.spreadHosts }).where(eq(deployments.id, input.deploymentId));
      await db
        .update(environments)
        .set({ liveReleaseId: input.releaseId, liveDeploymentId: input.deploymentId, ...placed, updatedAt: sql`now()` })
        .where(eq(environments.id, input.environmentId));
    },

    /**
     * The post-switch watch sent traffic back: the deployment whose route is in place again
     * (and the release it made live) is the environment's live one once more. Returns that
     * release's id and number.
     */
    async restoreLive(input: { environmentId: string; deploymentId: string }): Promise<{ releaseId: string; number: number } | null> {
      const [row] = await db
        .select({ releaseId: deployments.releaseId, number: releases.number })
        .from(deployments)
        .innerJoin(releases, eq(releases.id, deployments.releaseId))
        .where(eq(deployments.id, input.deploymentId));
      if (!row?.releaseId) return null;
      await db
        .update(environments)
        .set({ liveReleaseId: row.releaseId, liveDeploymentId: input.deploymentId, updatedAt: sql`now()` })
        .where(eq(environments.id, input.environmentId));
      return { releaseId: row.releaseId, number: row.number };
    },

    /** Nothing serves any more (a teardown): the environment has no live release. */
    async clearLive(input: { environmentId: string }): Promise<void> {
      await db.update(environments).set({ liveReleaseId: null, liveDeploymentId: null, updatedAt: sql`now()` }).where(eq(environments.id, input.environmentId));
    },

    async completeDeployment(input: {
      deploymentId: string;
      status: DeploymentStatus;
      message: string | null;
      errorType: string | null;
      supersededBy?: string | null;
      at: number;
      phases: PhaseWrite[];
      /** Ends whichever phases are still running (a failed step may have started one) so. */
      endRunning?: { outcome: PhaseOutcome; message: string | null };
    }): Promise<void> {
      await writePhases(input.deploymentId, input.phases);
      if (input.endRunning) {
        const end = { endedAt: new Date(input.at), outcome: input.endRunning.outcome, message: input.endRunning.message };
        await db
          .update(deploymentPhases)
          .set(end)
          .where(and(eq(deploymentPhases.deploymentId, input.deploymentId), eq(deploymentPhases.outcome, 'running')));
        await db
          .update(deploymentServicePhases)
          .set(end)
          .where(and(eq(deploymentServicePhases.deploymentId, input.deploymentId), eq(deploymentServicePhases.outcome, 'running')));
      }
      await db
        .update(deployments)
        .set({
          status: input.status,
          message: input.message,
          errorType: input.errorType,
          supersededBy: input.supersededBy ?? null,
          finishedAt: new Date(input.at),
        })
        .where(eq(deployments.id, input.deploymentId));
    },
  };
}
