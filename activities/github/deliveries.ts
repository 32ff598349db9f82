// The intake workflow's last step: what the delivery did, for the deliveries list, and an audit
// row for each deployment it started (written once: with the outcome, in one transaction).
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { appendAudit } from '../../db/queries/audit.js';
import { projectsOfApps } from '../../db/queries/audit-sources.js';
import { webhookDeliveries, type DeliveryOutcome, type DeliveryResult } from '../../db/schema/index.js';

export function createDeliveryStore(db: Db) {
  return {
    /**
     * Of these deliveries, those not yet handled: a delivery handed over twice (the dispatcher
     * crashed before marking it, or two dispatchers took it) is handled once.
     */
    async unprocessedDeliveries(input: { ids: string[] }): Promise<string[]> {
      if (input.ids.length === 0) return [];
      const rows = await db
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .where(and(inArray(webhookDeliveries.id, input.ids), isNull(webhookDeliveries.processedAt)));
      const open = new Set(rows.map((r) => r.id));
      return input.ids.filter((id) => open.has(id));
    },
    async recordDeliveryOutcome(input: { deliveryId: string; outcome: DeliveryOutcome; message: string; results: DeliveryResult[] }): Promise<void> {
      await db.transaction(async (tx) => {
        const [first] = await tx
          .update(webhookDeliveries)
          .set({ outcome: input.outcome, message: input.message.slice(0, 2000), results: input.results, processedAt: sql`now()` })
          .where(and(eq(webhookDeliveries.id, input.deliveryId), isNull(webhookDeliveries.processedAt)))
          .returning({ event: webhookDeliveries.event, action: webhookDeliveries.action, repository: webhookDeliveries.repository, sha: webhookDeliveries.sha });
        if (!first) {
          // A retry after the outcome was written, or a redelivery: the record stands as it is.
          await tx
            .update(webhookDeliveries)
            .set({ outcome: input.outcome, message: input.message.slice(0, 2000), results: input.results })
            .where(eq(webhookDeliveries.id, input.deliveryId));
          return;
        }
        // Deployments started, and previews a closed pull request removes.
        const acted = input.results.filter((r) => r.deploymentId || input.outcome === 'teardown');
        const projects = await projectsOfApps(tx, [...new Set(acted.map((r) => r.app))]);
        await appendAudit(
          tx,
          acted.map((r) => ({
            actorKind: 'webhook' as const,
            actorId: input.deliveryId,
            actorName: `github:${first.event}${first.action ? `.${first.action}` : ''}`,
            action: r.deploymentId ? 'deployment.trigger' : 'preview.remove',
            target: `/apps/${r.app}/environments/${r.environment ?? '?'}`,
            projectId: projects.get(r.app) ?? null,
            outcome: 'succeeded' as const,
            status: null,
            requestId: null,
            address: null,
            detail: { deploymentId: r.deploymentId, repository: first.repository, sha: first.sha, rule: r.rule },
          })),
        );
      });
    },
  };
}
