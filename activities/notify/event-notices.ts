// Events made from what Berth records where things happen: a deployment queued, started or
// ended, reconcile's findings, a fork's preview waiting. Each reads names from the database, so
// the places that record them pass only ids.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apps, deployments, environments, projects, releases } from '../../db/schema/index.js';
import { SEVERITY_OF, type NotificationEvent, type NotificationEventType } from '../../src/domain/notification-events.js';
import type { ReconcileEventInput } from '../store/reconcile.js';
import type { NotificationEmitter } from './emit-notifications.js';

/** Error types of a deployment whose build failed (the build.failed event). */
const BUILD_FAILURES = new Set(['BuildFailed', 'SourceNotFound']);
/** A failure after which traffic went back to the release that served before. */
const SWITCHED_BACK = new Set(['RouteVerificationFailed']);

function event(type: NotificationEventType, key: string, fields: Omit<NotificationEvent, 'type' | 'key' | 'severity' | 'at'>): NotificationEvent {
  return { type, key, severity: SEVERITY_OF[type], at: Date.now(), ...fields };
}

export function createEventNotices(deps: { db: Db; emitter: NotificationEmitter; publicUrl: string }) {
  const { db, emitter } = deps;

  async function deploymentContext(deploymentId: string) {
    const [row] = await db
      .select({ d: deployments, app: apps.name, appId: apps.id, projectId: apps.projectId, project: projects.name, environment: environments.name, release: releases.number })
      .from(deployments)
      .innerJoin(apps, eq(apps.id, deployments.appId))
      .innerJoin(projects, eq(projects.id, apps.projectId))
      .innerJoin(environments, eq(environments.id, deployments.environmentId))
      .leftJoin(releases, eq(releases.id, deployments.releaseId))
      .where(eq(deployments.id, deploymentId));
    return row;
  }

  /** `known`: the deployment's context when the caller has just read it. */
  async function deploymentEvent(deploymentId: string, type: NotificationEventType, text: (status: string) => string, known?: DeploymentContext): Promise<void> {
    // No enabled channel at all (most installations): the deployment's context is not read.
    const subscriptions = await emitter.subscriptions();
    if (subscriptions.length === 0) return;
    const c = known ?? (await deploymentContext(deploymentId));
    if (!c) return;
    const facts: Record<string, string> = { project: c.project, app: c.app, environment: c.environment, deploymentId, kind: c.d.kind, trigger: c.d.trigger };
    if (c.release !== null) facts.release = String(c.release);
    if (c.d.errorType) facts.errorType = c.d.errorType;
    await emitter.emitAmong(
      subscriptions,
      event(type, `${deploymentId}:${type}`, {
        title: `${c.app}/${c.environment}: ${type.replace('.', ' ').replace('_', ' ')}`,
        text: text(c.d.status) + (c.d.message ? ` (${c.d.message})` : ''),
        projectId: c.projectId,
        appId: c.appId,
        environmentId: c.d.environmentId,
        facts,
        link: `${deps.publicUrl}/ui/deployments/${deploymentId}`,
      }),
    );
  }

  type DeploymentContext = NonNullable<Awaited<ReturnType<typeof deploymentContext>>>;

  const notices = {
    queued: (deploymentId: string) => deploymentEvent(deploymentId, 'deploy.queued', () => 'deployment queued'),
    started: (deploymentId: string) => deploymentEvent(deploymentId, 'deploy.started', () => 'deployment started'),

    /** The recorded outcome of a deployment: one event for it, and build.failed or rolled_back beside. */
    async ended(deploymentId: string): Promise<void> {
      const c = await deploymentContext(deploymentId);
      if (!c) return;
      const { status, errorType, kind } = c.d;
      const types: NotificationEventType[] = [];
      if (status === 'succeeded') types.push(kind === 'rollback' ? 'deploy.rolled_back' : 'deploy.succeeded');
      if (status === 'failed') types.push('deploy.failed');
      if (status === 'cancelled') types.push('deploy.cancelled');
      if (status === 'failed' && errorType && BUILD_FAILURES.has(errorType)) types.push('build.failed');
      if (status === 'failed' && errorType && SWITCHED_BACK.has(errorType)) types.push('deploy.rolled_back');
      for (const type of types) await deploymentEvent(deploymentId, type, (s) => `deployment ${s}`, c);
    },

    /**
     * Reconcile's findings: stuck deployments, and drift it healed. `runKey` names the recording
     * (its workflow run and activity), so a retried recording makes the same keys.
     */
    async reconciled(runKey: string, events: ReconcileEventInput[]): Promise<void> {
      for (const [i, e] of events.entries()) {
        const deploymentId = typeof e.detail?.deploymentId === 'string' ? e.detail.deploymentId : null;
        if (e.drift === 'deployment-stuck' && deploymentId) {
          const reasons = Array.isArray(e.detail?.reasons) ? e.detail.reasons.join('; ') : e.action;
          await deploymentEvent(deploymentId, 'deploy.stuck', () => `deployment stuck: ${reasons}; ${e.action}`);
        } else if (e.drift === 'deployment-abandoned' && deploymentId) {
          await notices.ended(deploymentId);
        } else if (e.outcome === 'done' && !e.drift.startsWith('deployment-') && e.environmentId) {
          await environmentEvent(e.environmentId, 'reconcile.healed', `${runKey}:${i}`, `reconcile healed ${e.drift}: ${e.action}`);
        }
      }
    },

    /** A fork's pull request at one commit waits for an approval. */
    async approvalWaiting(input: { appId: string; number: number; headSha: string; templateEnvironmentId: string }): Promise<void> {
      await environmentEvent(
        input.templateEnvironmentId,
        'preview.approval_waiting',
        `${input.appId}:pr-${input.number}:${input.headSha}:approval`,
        `pull request #${input.number} from a fork waits for approval (commit ${input.headSha.slice(0, 12)})`,
        { pullRequest: String(input.number), commit: input.headSha },
      );
    },

    /** What the worker's runtime watch saw in an environment (health, restarts, OOM kills). */
    runtime: (environmentId: string, type: NotificationEventType, key: string, text: string, extra: Record<string, string> = {}) => environmentEvent(environmentId, type, key, text, extra),
  };
  return notices;

  async function environmentEvent(environmentId: string, type: NotificationEventType, key: string, text: string, extra: Record<string, string> = {}): Promise<void> {
    const [c] = await db
      .select({ app: apps.name, appId: apps.id, projectId: apps.projectId, project: projects.name, environment: environments.name })
      .from(environments)
      .innerJoin(apps, eq(apps.id, environments.appId))
      .innerJoin(projects, eq(projects.id, apps.projectId))
      .where(eq(environments.id, environmentId));
    if (!c) return;
    await emitter.emit(
      event(type, key, {
        title: `${c.app}/${c.environment}: ${type.replace('.', ' ').replace('_', ' ')}`,
        text,
        projectId: c.projectId,
        appId: c.appId,
        environmentId,
        facts: { project: c.project, app: c.app, environment: c.environment, ...extra },
        link: `${deps.publicUrl}/ui/apps/${c.app}`,
      }),
    );
  }
}

export type EventNotices = ReturnType<typeof createEventNotices>;
