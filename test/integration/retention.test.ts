// Retention: the schedule exists with the configured ages, and a run of its workflow deletes
// rows older than their age from each table while younger ones (and notifications still being
// delivered, whatever their age) stay.
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { auditEvents, deploymentLogs, deployments, notificationChannels, notificationMessages, reconcileEvents, webhookDeliveries } from '../../db/schema/index.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { newId } from '../../src/ids.js';
import { RETENTION_SCHEDULE_ID } from '../../src/temporal/schedules.js';
import { executeWorkflow } from '../../src/temporal/workflow-starts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp } from '../support/fixtures.js';

let berth: TestBerth;
const DAY = 24 * 3600 * 1000;
const old = () => new Date(Date.now() - 40 * DAY);
const young = () => new Date(Date.now() - 1 * DAY);

beforeAll(async () => {
  berth = await startBerth({
    env: {
      BERTH_RETAIN_DEPLOYMENT_LOGS_DAYS: '30',
      BERTH_RETAIN_RECONCILE_EVENTS_DAYS: '30',
      BERTH_RETAIN_WEBHOOK_DELIVERIES_DAYS: '30',
      BERTH_RETAIN_NOTIFICATIONS_DAYS: '30',
      BERTH_AUDIT_RETENTION_DAYS: '30',
      BERTH_RETENTION_INTERVAL_SECONDS: '7200',
    },
  });
});

afterAll(async () => {
  await berth?.close();
});

test('the retention schedule runs the pruning with the configured ages', async () => {
  const schedule = await berth.temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
  expect(schedule.spec.intervals?.[0]?.every).toBe(7200 * 1000);
  expect(schedule.action.type).toBe('startWorkflow');
  if (schedule.action.type !== 'startWorkflow') return;
  expect(schedule.action.workflowType).toBe(WORKFLOWS.pruneHistory.type);
  expect(schedule.action.args).toEqual([{ deploymentLogsDays: 30, reconcileEventsDays: 30, webhookDeliveriesDays: 30, auditDays: 30, notificationsDays: 30 }]);
});

test('old rows go and young rows stay, in every table', async () => {
  const { db } = berth.database;
  const fx = await createImageApp(berth, { app: 'retain', image: 'busybox:latest' });
  const [env] = await db.execute(sql`select app_id from environments where id = ${fx.environmentId}`).then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as { app_id: string }[]);
  const deploymentId = newId('dep');
  await db.insert(deployments).values({ id: deploymentId, appId: env?.app_id as string, environmentId: fx.environmentId, kind: 'deploy', trigger: 'api', request: {}, status: 'succeeded', workflowId: `deploy-${deploymentId}` });

  await db.insert(deploymentLogs).values([
    { deploymentId, at: old(), level: 'info', message: 'old line' },
    { deploymentId, at: young(), level: 'info', message: 'young line' },
  ]);
  await db.insert(reconcileEvents).values([
    { at: old(), environmentId: fx.environmentId, drift: 'old', action: 'x', outcome: 'done', trigger: 'test' },
    { at: young(), environmentId: fx.environmentId, drift: 'young', action: 'x', outcome: 'done', trigger: 'test' },
  ]);
  await db.insert(webhookDeliveries).values([
    { id: 'old-delivery', event: 'push', payload: '{}', receivedAt: old() },
    { id: 'young-delivery', event: 'push', payload: '{}', receivedAt: young() },
  ]);
  await db.insert(auditEvents).values([
    { at: old(), actorKind: 'schedule' as const, action: 'old.audit', target: '/x', outcome: 'succeeded' as const },
    { at: young(), actorKind: 'schedule' as const, action: 'young.audit', target: '/x', outcome: 'succeeded' as const },
  ]);
  const channelId = newId('ntc');
  await db.insert(notificationChannels).values({ id: channelId, name: 'c', kind: 'slack', settings: {}, secretsSealed: 'x' });
  const ev = (key: string) => ({ type: 'test' as const, key, severity: 'info' as const, title: key, text: key, projectId: null, appId: null, environmentId: null, facts: {}, link: null, at: 0 });
  await db.insert(notificationMessages).values([
    { id: 'msg_old_sent', channelId, eventType: 'test', event: ev('old-sent'), status: 'sent', createdAt: old() },
    { id: 'msg_old_pending', channelId, eventType: 'test', event: ev('old-pending'), status: 'pending', createdAt: old() },
    { id: 'msg_young_sent', channelId, eventType: 'test', event: ev('young-sent'), status: 'sent', createdAt: young() },
  ]);

  const pruned = await executeWorkflow(berth.temporal, WORKFLOWS.pruneHistory, {
    workflowId: `prune-history-test-${deploymentId}`,
    args: [{ deploymentLogsDays: 30, reconcileEventsDays: 30, webhookDeliveriesDays: 30, auditDays: 30, notificationsDays: 30 }],
  });
  expect(pruned.deploymentLogsDays).toBe(1);
  expect(pruned.reconcileEventsDays).toBe(1);
  expect(pruned.webhookDeliveriesDays).toBe(1);
  expect(pruned.auditDays).toBeGreaterThanOrEqual(1);
  expect(pruned.notificationsDays).toBe(1);

  expect((await db.select().from(deploymentLogs).where(eq(deploymentLogs.deploymentId, deploymentId))).map((r) => r.message)).toEqual(['young line']);
  expect((await db.select().from(reconcileEvents).where(inArray(reconcileEvents.drift, ['old', 'young']))).map((r) => r.drift)).toEqual(['young']);
  expect((await db.select().from(webhookDeliveries)).map((r) => r.id)).toEqual(['young-delivery']);
  expect((await db.select().from(auditEvents).where(inArray(auditEvents.action, ['old.audit', 'young.audit']))).map((r) => r.action)).toEqual(['young.audit']);
  expect((await db.select().from(notificationMessages)).map((r) => r.id).sort()).toEqual(['msg_old_pending', 'msg_young_sent']);
});
