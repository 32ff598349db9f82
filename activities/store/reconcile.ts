// What reconcile reads (desired state) and writes (its events) in the database.
import { and, eq, inArray, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { appendAudit } from '../../db/queries/audit.js';
import { projectOfEnvironment, scheduleEvent } from '../../db/queries/audit-sources.js';
import { apps, deployments, environments, reconcileEvents, releases } from '../../db/schema/index.js';
import type { HealthCheck } from '../../src/domain/app-spec.js';
import { routeTls, type RouteTls } from '../../src/domain/https.js';
import { environmentHosts } from '../../src/domain/route.js';
import { hostDomains } from '../../src/domain/domain-pattern.js';
import { hostAlive, listHosts } from '../../db/queries/hosts.js';
import { keptReleaseIds } from './kept-now.js';
import type { SpreadShare } from '../../src/domain/spread.js';

export interface ReconcileTarget {
  environmentId: string;
  appId: string;
  /** Static sites are healed by their symlink and route; images by their containers. */
  appKind: string;
  appName: string;
  environmentName: string;
  hosts: string[];
  tls?: RouteTls | undefined;
  /** The live release; null when nothing was ever made live. */
  live: { releaseId: string; deploymentId: string; replicas: number; port: number; healthCheck: HealthCheck } | null;
  /** Releases whose containers are kept (live first; the one in hot standby besides). */
  keepReleaseIds: string[];
  /** A deployment is queued or running: its environment is its until it ends. */
  busy: boolean;
  /** The registered host it is placed on; null (or absent in older histories): the installation's own. */
  hostId?: string | null;
  /** Spread over several hosts: its containers are not healed on one host (see workflows/reconcile-target.ts). */
  spread?: boolean;
  /** Spread: the hosts the live release runs on and each one's replicas (absent: deployed before they were recorded). */
  spreadHosts?: SpreadShare[];
}

export interface ReconcileEventInput {
  environmentId: string | null;
  drift: string;
  action: string;
  outcome: 'done' | 'failed' | 'skipped';
  detail?: Record<string, unknown>;
}

export interface ActiveDeployment {
  id: string;
  environmentId: string;
  status: string;
  workflowId: string;
  createdAt: number;
  startedAt: number | null;
}

export function createReconcileStore(db: Db, appsDomain: string, httpsPort: number) {
  return {
    /** Desired state of every environment (or one). */
    async reconcileTargets(input: { environmentId?: string }): Promise<ReconcileTarget[]> {
      const rows = await db
        .select({ env: environments, appName: apps.name, appKind: apps.kind, release: releases, spreadHosts: deployments.spreadHosts })
        .from(environments)
        .innerJoin(apps, eq(apps.id, environments.appId))
        .leftJoin(releases, eq(releases.id, environments.liveReleaseId))
        .leftJoin(deployments, eq(deployments.id, environments.liveDeploymentId))
        .where(input.environmentId ? eq(environments.id, input.environmentId) : undefined);
      const busy = new Set(
        (await db.select({ env: deployments.environmentId }).from(deployments).where(inArray(deployments.status, ['queued', 'running']))).map(
          (r) => r.env,
        ),
      );
      const targets: ReconcileTarget[] = [];
      for (const { env, appName, appKind, release, spreadHosts } of rows) {
        targets.push({
          environmentId: env.id,
          appId: env.appId,
          appKind,
          appName,
          environmentName: env.name,
          hosts: environmentHosts(appName, env.name, appsDomain, hostDomains(env)),
          tls: routeTls(env.https, environmentHosts(appName, env.name, appsDomain, hostDomains(env)), httpsPort),
          live:
            release && env.liveDeploymentId
              ? {
                  releaseId: release.id,
                  deploymentId: env.liveDeploymentId,
                  replicas: release.config.replicas,
                  port: release.config.port,
                  healthCheck: release.config.healthCheck,
                }
              : null,
          keepReleaseIds: await keptReleaseIds(db, env),
          busy: busy.has(env.id),
          hostId: env.hostId,
          ...(env.spread ? { spread: true } : {}),
          ...(env.spread && spreadHosts?.length ? { spreadHosts } : {}),
        });
      }
      return targets;
    },

    async recordReconcileEvents(input: { trigger: string; events: ReconcileEventInput[] }): Promise<void> {
      if (input.events.length === 0) return;
      await db.insert(reconcileEvents).values(input.events.map((e) => ({ ...e, detail: e.detail ?? {}, trigger: input.trigger })));
      // Deployments reconcile cancelled or ended are changes nobody asked the API for: audited.
      const ended = input.events.filter((e) => e.drift === 'deployment-stuck' && (e.action === 'cancel-requested' || e.action === 'terminated'));
      for (const e of ended) {
        const where = e.environmentId ? await projectOfEnvironment(db, e.environmentId) : undefined;
        const target = where ? `/apps/${where.app}/environments/${where.environment}` : `/environments/${e.environmentId ?? '?'}`;
        await appendAudit(db, [scheduleEvent(`reconcile:${input.trigger}`, `deployment.${e.action === 'terminated' ? 'terminate' : 'cancel'}`, target, where?.projectId ?? null, e.detail ?? {})]);
      }
    },

    /** Registered hosts other than `except` whose worker beats: where orphans are swept too. */
    async aliveHostIds(input: { except: string }): Promise<string[]> {
      return (await listHosts(db)).filter((h) => h.id !== input.except && hostAlive(h)).map((h) => h.id);
    },

    async activeDeployments(): Promise<ActiveDeployment[]> {
      const rows = await db.select().from(deployments).where(inArray(deployments.status, ['queued', 'running']));
      return rows.map((d) => ({
        id: d.id,
        environmentId: d.environmentId,
        status: d.status,
        workflowId: d.workflowId,
        createdAt: d.createdAt.getTime(),
        startedAt: d.startedAt?.getTime() ?? null,
      }));
    },

    /** Deployments reconcile asked to cancel more than `graceMs` ago. */
    async cancelRequestedBefore(input: { graceMs: number }): Promise<string[]> {
      const rows = await db
        .select({ detail: reconcileEvents.detail })
        .from(reconcileEvents)
        .where(and(eq(reconcileEvents.action, 'cancel-requested'), lt(reconcileEvents.at, new Date(Date.now() - input.graceMs))));
      return [...new Set(rows.map((r) => String(r.detail.deploymentId)))];
    },

    /** A deployment whose workflow ended without recording how: it did not succeed. */
    async failAbandonedDeployment(input: { deploymentId: string; message: string; at: number }): Promise<void> {
      await db
        .update(deployments)
        .set({ status: 'failed', message: input.message, errorType: 'Abandoned', finishedAt: new Date(input.at) })
        .where(and(eq(deployments.id, input.deploymentId), inArray(deployments.status, ['queued', 'running'])));
    },
  };
}
