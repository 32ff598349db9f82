// GET /metrics: Prometheus text exposition of Berth's state, read from the database (so any API
// process answers the same): deployments by status, stuck deployments, reconcile actions; and
// the expiry of the certificate Traefik serves for each certified host.
import { count, eq, and, inArray, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { deployments, reconcileEvents } from '../../db/schema/index.js';
import { createCertificateMetrics } from '../certificate-metrics.js';
import type { AppDeps, AppEnv } from '../deps.js';

const line = (name: string, labels: Record<string, string>, value: number) => {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',');
  return `${name}${l ? `{${l}}` : ''} ${value}`;
};

export function metricsRoutes({ db, config }: AppDeps) {
  const app = new Hono<AppEnv>();
  const certificates = createCertificateMetrics(db, config);
  app.get('/metrics', async (c) => {
    const byStatus = await db.select({ status: deployments.status, n: count() }).from(deployments).groupBy(deployments.status);
    const actions = await db
      .select({ drift: reconcileEvents.drift, action: reconcileEvents.action, outcome: reconcileEvents.outcome, n: count() })
      .from(reconcileEvents)
      .groupBy(reconcileEvents.drift, reconcileEvents.action, reconcileEvents.outcome);
    const [stuck] = await db
      .select({ n: sql<number>`count(distinct ${reconcileEvents.detail}->>'deploymentId')` })
      .from(reconcileEvents)
      .innerJoin(deployments, eq(deployments.id, sql`${reconcileEvents.detail}->>'deploymentId'`))
      .where(and(eq(reconcileEvents.drift, 'deployment-stuck'), inArray(deployments.status, ['queued', 'running'])));
    const out = [
      '# HELP berth_deployments Deployments by status.',
      '# TYPE berth_deployments gauge',
      ...byStatus.map((r) => line('berth_deployments', { status: r.status }, r.n)),
      '# HELP berth_deployments_stuck Deployments still queued or running that reconcile found stuck.',
      '# TYPE berth_deployments_stuck gauge',
      line('berth_deployments_stuck', {}, Number(stuck?.n ?? 0)),
      '# HELP berth_reconcile_events_total What reconcile found and did.',
      '# TYPE berth_reconcile_events_total counter',
      ...actions.map((r) => line('berth_reconcile_events_total', { drift: r.drift, action: r.action, outcome: r.outcome }, r.n)),
    ];
    const certs = await certificates.figures();
    out.push(
      '# HELP berth_certificate_expiry_timestamp_seconds When the certificate served for a host expires (absent host: none valid is served; see berth_certificate_valid).',
      '# TYPE berth_certificate_expiry_timestamp_seconds gauge',
      ...certs.filter((f) => f.notAfter !== null).map((f) => line('berth_certificate_expiry_timestamp_seconds', { app: f.app, environment: f.environment, host: f.host }, f.notAfter as number)),
      '# HELP berth_certificate_valid Whether a certificate covering the host is served (1) or not yet / no longer (0).',
      '# TYPE berth_certificate_valid gauge',
      ...certs.map((f) => line('berth_certificate_valid', { app: f.app, environment: f.environment, host: f.host }, f.notAfter === null ? 0 : 1)),
    );
    return c.text(`${out.join('\n')}\n`, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
