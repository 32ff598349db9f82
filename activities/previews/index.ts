// Preview environments in the database: pr-<number> made from the template environment (its
// settings, its variables copied, domains derived from the number), and removed again with
// everything recorded under it once its containers and route are gone.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { appendAudit } from '../../db/queries/audit.js';
import { projectOfEnvironment, scheduleEvent } from '../../db/queries/audit-sources.js';
import { effectiveSettings } from '../../db/queries/environment-settings.js';
import { getEnvironmentById } from '../../db/queries/environments.js';
import { apps, environmentVariables, environments, previewApprovals, previews } from '../../db/schema/index.js';
import { getGitSource } from '../../db/queries/git-sources.js';
import { environmentUrl, requestBase, type RequestBase, type RequestSite } from '../../src/domain/deploy-request.js';
import type { GitSource } from '../../src/domain/deployment.js';
import type { PullRequestEvent } from '../../src/domain/workflow-definitions.js';
import { previewDomains, previewEnvironmentName } from '../../src/domain/preview.js';
import { permanentFailure } from '../../src/errors.js';
import { newId } from '../../src/ids.js';
import type { PreviewTarget } from '../../src/domain/preview.js';
import type { ForkRecord } from '../github/plan-delivery.js';
import { hostDomains } from '../../src/domain/domain-pattern.js';

export interface PreviewEnvironment {
  previewId: string;
  environmentId: string;
  request: RequestBase;
  /** What to build for the event: its head commit, from the app's source. */
  source: GitSource;
}

export function createPreviewActivities({ db, site }: { db: Db; site: RequestSite }) {
  return {
    /** Gets or makes the preview's environment (idempotent), and notes the head it will run. */
    async ensurePreviewEnvironment(input: { target: PreviewTarget; event: Pick<PullRequestEvent, 'headSha' | 'head' | 'installationId' | 'untrusted'> }): Promise<PreviewEnvironment> {
      const { target, event } = input;
      const [app] = await db.select().from(apps).where(eq(apps.id, target.appId));
      if (!app) throw permanentFailure('NotFound', `app ${target.appId} no longer exists`);
      const template = await getEnvironmentById(db, target.templateEnvironmentId);
      if (!template) throw permanentFailure('NotFound', `template environment ${target.templateEnvironmentId} no longer exists`);
      const name = previewEnvironmentName(target.number);

      const env = await db.transaction(async (tx) => {
        const [existing] = await tx.select().from(environments).where(and(eq(environments.appId, app.id), eq(environments.name, name)));
        // A fork's preview is untrusted for good: a later event never makes it trusted again.
        if (existing && event.untrusted && !existing.untrusted) {
          const [marked] = await tx.update(environments).set({ untrusted: true }).where(eq(environments.id, existing.id)).returning();
          return marked as typeof environments.$inferSelect;
        }
        if (existing) return existing;
        const [made] = await tx
          .insert(environments)
          .values({
            id: newId('env'),
            appId: app.id,
            name,
            domains: previewDomains(hostDomains(template), target.number),
            // Its names are the template's with pr-<n>. before them: the template's pattern is not its own.
            domainPattern: '',
            // HTTPS as the template has it; an uploaded certificate is the template's own, so a
            // preview asks the ACME CA for one of its generated names instead.
            https: template.https?.mode === 'custom' ? { ...template.https, mode: 'auto' } : template.https,
            retention: 1,
            queuePolicy: 'latest-wins',
            cancelSuperseded: true,
            // Variables and settings not set on the preview come from the template, now and later.
            parentId: template.id,
            // A preview runs where its template runs.
            hostId: template.hostId,
            untrusted: event.untrusted === true,
          })
          .returning();
        return made as typeof environments.$inferSelect;
      });

      const values = {
        repository: target.repository,
        templateEnvironmentId: template.id,
        environmentId: env.id,
        headSha: event.headSha,
        status: 'active' as const,
        removedReason: null,
        lastEventAt: new Date(),
      };
      const [preview] = await db
        .insert(previews)
        .values({ id: newId('prv'), appId: app.id, number: target.number, ...values })
        .onConflictDoUpdate({ target: [previews.appId, previews.number], set: values })
        .returning();
      const request = requestBase(app, env, (await effectiveSettings(db, env.id, site.watchSeconds)).settings, site);
      const gitSource = await getGitSource(db, app.id);
      const source: GitSource = {
        repository: target.repository,
        url: gitSource?.url ?? null,
        ref: event.head,
        sha: event.headSha,
        installationId: event.installationId,
        ...(gitSource?.gitHostId ? { gitHostId: gitSource.gitHostId } : {}),
        pullRequest: target.number,
        feedback: event.installationId === null && !gitSource?.gitHostId ? null : { environmentUrl: environmentUrl(request, site), publicUrl: site.publicUrl, production: false, transient: true },
      };
      return { previewId: (preview as typeof previews.$inferSelect).id, environmentId: env.id, request, source };
    },

    /**
     * A fork's pull request at one head commit: waiting for approval, or approved (by a label,
     * or already through the API) with the deployment it started. An approval is never undone.
     */
    async recordForkPreview(input: { target: PreviewTarget; event: Omit<PullRequestEvent, 'deploymentId'>; fork: ForkRecord; deploymentId: string | null }): Promise<void> {
      const { target, event, fork } = input;
      const approved = fork.approvedBy !== null || input.deploymentId !== null;
      const row = {
        appId: target.appId,
        number: target.number,
        headSha: event.headSha,
        head: event.head,
        headRepository: fork.headRepository,
        repository: target.repository,
        installationId: event.installationId,
        templateEnvironmentId: target.templateEnvironmentId,
        idleSeconds: target.idleSeconds,
        deliveryId: event.deliveryId,
        status: approved ? ('approved' as const) : ('pending' as const),
        ...(fork.approvedBy ? { approvedBy: fork.approvedBy, approvedAt: new Date() } : {}),
        ...(input.deploymentId ? { deploymentId: input.deploymentId } : {}),
      };
      const key = [previewApprovals.appId, previewApprovals.number, previewApprovals.headSha];
      if (!approved) {
        await db.insert(previewApprovals).values(row).onConflictDoNothing({ target: key });
        return;
      }
      const { appId: _a, number: _n, headSha: _h, ...update } = row;
      await db.insert(previewApprovals).values(row).onConflictDoUpdate({ target: key, set: update });
    },

    /** Last step of a teardown: the environment row and all recorded under it. */
    async removePreviewEnvironment(input: { appId: string; number: number; environmentId: string; reason: 'closed' | 'idle' }): Promise<void> {
      const where = await projectOfEnvironment(db, input.environmentId);
      await db.transaction(async (tx) => {
        // An idle preview's removal is the timer's doing (a closed one's is its delivery's, audited there).
        if (where && input.reason === 'idle') {
          await appendAudit(tx, [scheduleEvent('preview-idle-timer', 'preview.remove', `/apps/${where.app}/environments/${where.environment}`, where.projectId, { number: input.number, reason: input.reason })]);
        }
        await tx.delete(environmentVariables).where(eq(environmentVariables.environmentId, input.environmentId));
        await tx.delete(environments).where(eq(environments.id, input.environmentId));
        await tx
          .update(previews)
          .set({ status: 'removed', environmentId: null, removedReason: input.reason, lastEventAt: sql`now()` })
          .where(and(eq(previews.appId, input.appId), eq(previews.number, input.number)));
      });
    },
  };
}
