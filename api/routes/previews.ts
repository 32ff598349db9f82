// Pull-request previews of an app, and the approval of a fork's head commit: a deployer's
// approval deploys exactly that commit (without secrets) through the preview's lifecycle, as a
// webhook would have. A later push is another commit and waits for its own approval.
import { z } from '@hono/zod-openapi';
import { and, desc, eq } from 'drizzle-orm';
import { previewApprovals, previews } from '../../db/schema/index.js';
import type { Principal } from '../../src/domain/access.js';
import { newId } from '../../src/ids.js';
import { signalPreview } from '../../src/temporal/preview-client.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { AppParam, findApp } from './apps.js';

const Sha = z.string().regex(/^[0-9a-f]{40}$/, 'a full commit sha (40 hex characters)');
const PullParam = AppParam.extend({ number: z.coerce.number().int().min(1).max(2_147_483_647) });

const Approval = z
  .object({
    number: z.number(),
    headSha: z.string(),
    head: z.string(),
    headRepository: z.string().nullable(),
    status: z.enum(['pending', 'approved']),
    requestedAt: z.string(),
    approvedBy: z.string().nullable().openapi({ description: 'usr_… (API), github:<login> (label); null when the fork policy deployed it' }),
    approvedAt: z.string().nullable(),
    deploymentId: z.string().nullable(),
  })
  .openapi('ForkApproval');

const Preview = z
  .object({ number: z.number(), environment: z.string().nullable(), headSha: z.string(), status: z.string(), removedReason: z.string().nullable(), lastEventAt: z.string() })
  .openapi('Preview');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function previewRoutes({ db, temporal }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/previews',
      tags: ['previews'],
      summary: 'Pull-request previews, and fork commits waiting for (or given) approval',
      access: { need: 'read', on: 'param.app' },
      request: { params: AppParam },
      responses: { 200: json(z.object({ previews: z.array(Preview), forkCommits: z.array(Approval) }), 'Previews'), ...errorResponses },
    }),
    async (c) => {
      const a = await findApp(db, c.req.valid('param').app);
      const rows = await db.select().from(previews).where(eq(previews.appId, a.id)).orderBy(desc(previews.number));
      const approvals = await db.select().from(previewApprovals).where(eq(previewApprovals.appId, a.id)).orderBy(desc(previewApprovals.requestedAt)).limit(200);
      return c.json(
        {
          previews: rows.map((p) => ({ number: p.number, environment: p.environmentId ? `pr-${p.number}` : null, headSha: p.headSha, status: p.status, removedReason: p.removedReason, lastEventAt: p.lastEventAt.toISOString() })),
          forkCommits: approvals.map((r) => ({
            number: r.number,
            headSha: r.headSha,
            head: r.head,
            headRepository: r.headRepository,
            status: r.status,
            requestedAt: r.requestedAt.toISOString(),
            approvedBy: r.approvedBy,
            approvedAt: iso(r.approvedAt),
            deploymentId: r.deploymentId,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/{app}/previews/{number}/approve',
      tags: ['previews'],
      summary: "Approve a fork's head commit: deploys its preview, without secrets",
      access: { need: 'deploy', on: 'param.app' },
      request: { params: PullParam, body: body(z.object({ sha: Sha }).strict().openapi('ForkApprovalInput')) },
      responses: { 202: json(z.object({ deploymentId: z.string(), workflowId: z.string() }), 'Approved; the preview deploys'), ...errorResponses },
    }),
    async (c) => {
      const { app: appName, number } = c.req.valid('param');
      const { sha } = c.req.valid('json');
      const a = await findApp(db, appName);
      const caller = c.get('principal') as Principal;
      const deploymentId = newId('dep');
      // Only a pending commit is approved, once: two approvals at once start one deployment.
      const [row] = await db
        .update(previewApprovals)
        .set({ status: 'approved', approvedBy: caller.userId, approvedAt: new Date(), deploymentId })
        .where(and(eq(previewApprovals.appId, a.id), eq(previewApprovals.number, number), eq(previewApprovals.headSha, sha), eq(previewApprovals.status, 'pending')))
        .returning();
      if (!row) {
        const [known] = await db
          .select({ status: previewApprovals.status })
          .from(previewApprovals)
          .where(and(eq(previewApprovals.appId, a.id), eq(previewApprovals.number, number), eq(previewApprovals.headSha, sha)));
        if (known) throw conflict(`commit ${sha.slice(0, 12)} of pull request #${number} is already approved`);
        throw notFound(`a fork commit ${sha.slice(0, 12)} of pull request #${number} waiting for approval`);
      }
      const target = { appId: a.id, appName: a.name, number, repository: row.repository, templateEnvironmentId: row.templateEnvironmentId, idleSeconds: row.idleSeconds };
      const started = await signalPreview(temporal, target, {
        action: 'approved',
        headSha: row.headSha,
        head: row.head,
        installationId: row.installationId,
        deliveryId: row.deliveryId,
        deploymentId,
        untrusted: true,
      });
      return c.json({ deploymentId, workflowId: started.workflowId }, 202);
    },
  );

  return app;
}
